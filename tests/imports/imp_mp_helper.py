print("imp_mp_helper: body runs")
VALUE = "helper value"


def square(x):
    return x * x


def report(q):
    q.put("report from " + __name__)
