# check_trace.py FILE - check a --gil-trace file, written in Toy's subset of
# Python so that the test suite needs nothing but ./toy (python3 runs it too).
#
# It parses the whole file as JSON (a small recursive-descent parser: any
# syntax error stops it with a message and exit status 1), then checks the
# Chrome Trace Event structure that Perfetto and chrome://tracing rely on:
#   - the top level is an object with a "traceEvents" list;
#   - every event is an object with a string "ph";
#   - "M" thread_name events name each track; every thread has a track for
#     holding the lock and one named "NAME (waiting)";
#   - "X" events have numeric ts >= 0 and dur >= 0 and a named track;
#     the holds of one thread never overlap;
#   - "i" events have a numeric ts and a scope "s".
# On success it prints a summary the shell tests compare: the thread names
# in track order, and counts of each kind of event.
import sys


class JsonError(Exception):
    pass


class Parser:
    def __init__(self, text):
        self.text = text
        self.pos = 0

    def fail(self, what):
        line = self.text.count("\n", 0, self.pos) + 1
        raise JsonError("line " + str(line) + ": " + what)

    def skip_space(self):
        text = self.text
        n = len(text)
        while self.pos < n and text[self.pos] in " \t\r\n":
            self.pos += 1

    def expect(self, ch):
        self.skip_space()
        if self.text[self.pos:self.pos + 1] != ch:
            self.fail("expected " + repr(ch))
        self.pos += 1

    def value(self):
        self.skip_space()
        ch = self.text[self.pos:self.pos + 1]
        if ch == "{":
            return self.obj()
        if ch == "[":
            return self.array()
        if ch == '"':
            return self.string()
        for word, result in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return result
        return self.number()

    def obj(self):
        self.pos += 1
        result = {}
        self.skip_space()
        if self.text[self.pos:self.pos + 1] == "}":
            self.pos += 1
            return result
        while True:
            self.skip_space()
            if self.text[self.pos:self.pos + 1] != '"':
                self.fail("expected a string key")
            key = self.string()
            self.expect(":")
            result[key] = self.value()
            self.skip_space()
            ch = self.text[self.pos:self.pos + 1]
            self.pos += 1
            if ch == "}":
                return result
            if ch != ",":
                self.fail("expected ',' or '}' in an object")

    def array(self):
        self.pos += 1
        result = []
        self.skip_space()
        if self.text[self.pos:self.pos + 1] == "]":
            self.pos += 1
            return result
        while True:
            result.append(self.value())
            self.skip_space()
            ch = self.text[self.pos:self.pos + 1]
            self.pos += 1
            if ch == "]":
                return result
            if ch != ",":
                self.fail("expected ',' or ']' in an array")

    def string(self):
        self.pos += 1
        parts = []
        text = self.text
        while True:
            end = self.pos
            while end < len(text) and text[end] != '"' and text[end] != "\\":
                if text[end] < " ":
                    self.fail("control character in a string")
                end += 1
            parts.append(text[self.pos:end])
            if end >= len(text):
                self.fail("unterminated string")
            self.pos = end + 1
            if text[end] == '"':
                return "".join(parts)
            esc = text[self.pos:self.pos + 1]
            if esc == "u":
                digits = text[self.pos + 1:self.pos + 5]
                if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                    self.fail("bad \\u escape")
                parts.append(chr(int(digits, 16)))
                self.pos += 5
            elif esc in '"\\/':
                parts.append(esc)
                self.pos += 1
            elif esc in "bfnrt" and esc != "":
                parts.append({"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}[esc])
                self.pos += 1
            else:
                self.fail("bad escape")

    def number(self):
        start = self.pos
        text = self.text
        while self.pos < len(text) and text[self.pos] in "+-0123456789.eE":
            self.pos += 1
        literal = text[start:self.pos]
        if literal == "":
            self.fail("expected a value")
        digits = literal.lstrip("-")
        if digits == "" or not digits[0].isdigit() or (len(digits) > 1 and digits[0] == "0" and digits[1].isdigit()):
            self.fail("bad number " + literal)
        try:
            if "." in literal or "e" in literal or "E" in literal:
                return float(literal)
            return int(literal)
        except ValueError:
            self.fail("bad number " + literal)


def is_number(x):
    return (type(x) == int or type(x) == float) and type(x) != bool


def check(events):
    names = {}        # tid -> track name
    order = []        # thread names in track order (not the waiting tracks)
    counts = {}
    holds = {}        # tid -> list of (ts, end)
    for e in events:
        if type(e) != dict or type(e.get("ph")) != str:
            raise JsonError("an event without a string ph: " + repr(e))
        ph = e["ph"]
        key = ph + " " + str(e.get("name"))
        counts[key] = counts.get(key, 0) + 1
        if type(e.get("pid")) != int or type(e.get("tid")) != int:
            raise JsonError("an event without integer pid/tid: " + repr(e))
        if ph == "M":
            if e.get("name") == "thread_name":
                name = e["args"]["name"]
                if type(name) != str or name == "":
                    raise JsonError("a thread_name without a name")
                names[e["tid"]] = name
                if not name.endswith(" (waiting)"):
                    order.append([e["tid"], name])
        elif ph == "X":
            if not is_number(e.get("ts")) or not is_number(e.get("dur")):
                raise JsonError("an X event without numeric ts/dur: " + repr(e))
            if e["ts"] < 0 or e["dur"] < 0:
                raise JsonError("an X event with a negative time: " + repr(e))
            holds.setdefault(e["tid"], []).append((e["ts"], e["ts"] + e["dur"]))
        elif ph == "i":
            if not is_number(e.get("ts")) or type(e.get("s")) != str:
                raise JsonError("an instant event without ts or s: " + repr(e))
        else:
            raise JsonError("unexpected ph " + repr(ph))
    for tid in holds:
        if tid not in names:
            raise JsonError("events on an unnamed track " + str(tid))
        spans = sorted(holds[tid])
        for i in range(1, len(spans)):
            if spans[i][0] < spans[i - 1][1] - 0.002:  # printed to 1 ns
                raise JsonError("overlapping events on track " + names[tid])
    for pair in order:
        waiting = pair[1] + " (waiting)"
        found = False
        for tid in names:
            if names[tid] == waiting:
                found = True
        if not found:
            raise JsonError("no waiting track for " + pair[1])
    return order, counts


def main():
    if len(sys.argv) != 2:
        print("usage: check_trace.py FILE")
        sys.exit(2)
    f = open(sys.argv[1])
    text = f.read()
    f.close()
    try:
        p = Parser(text)
        top = p.value()
        p.skip_space()
        if p.pos != len(text):
            p.fail("text after the JSON value")
        if type(top) != dict or type(top.get("traceEvents")) != list:
            raise JsonError("the top level is not an object with a traceEvents list")
        order, counts = check(top["traceEvents"])
    except JsonError as e:
        print("invalid trace: " + str(e))
        sys.exit(1)
    print("valid JSON trace")
    print("threads: " + str(len(order)))
    order.sort()
    for pair in order:
        print("thread: " + pair[1])
    for key in sorted(counts):
        print("events " + key + ": " + str(counts[key]))
    other = top.get("otherData", {})
    print("gil: " + str(other.get("gil")))


main()
