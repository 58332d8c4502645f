print("imp_guard: __name__ is", __name__)
if __name__ == "__main__":
    print("imp_guard: run as a script")
else:
    print("imp_guard: imported")
