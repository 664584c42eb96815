"""Random TOML documents for the differential test: tables, arrays of tables, dotted keys,
inline tables, arrays, strings of every kind with escapes, numbers in every form and
date-times, mostly valid and some near misses; and mutants of documents (a character deleted,
inserted or replaced, a line repeated or moved), which land on both sides of the grammar.

    python Tests/toml/generate.py DIRECTORY [--count N] [--seed S] [--mutants M]

writes the documents as files (fuzz seeds, or to look at one).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

BARE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
# Characters that matter to the grammar, for mutations.
SIGNIFICANT = "[]{}=.,\"'#\n\r\t \\_-+:0123456789eExobTtZz\x7f\x00\x1f\u00e9\U0001f600"


class Generator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def pick(self, valid: list[str], invalid: list[str], miss: float = 0.02) -> str:
        """Mostly one of `valid`; now and then (`miss`) a near miss from `invalid`."""
        return self.rng.choice(invalid if self.chance(miss) else valid)

    # Keys

    def key_part(self) -> str:
        choice = self.rng.random()
        if choice < 0.7:
            return "".join(self.rng.choice(BARE) for _ in range(self.rng.randint(1, 8)))
        if choice < 0.85:
            return self.basic_string(self.text(0, 6), multiline=False)
        if choice < 0.97:
            return "'" + self.text(0, 6, literal=True) + "'"
        return '""'

    def key(self, parts: int = 1) -> str:
        separator = self.rng.choice([".", ".", " . ", "\t.", ". "])
        return separator.join(self.key_part() for _ in range(parts))

    # Strings

    def text(self, low: int, high: int, literal: bool = False) -> str:
        pieces = []
        for _ in range(self.rng.randint(low, high)):
            choice = self.rng.random()
            if choice < 0.6:
                pieces.append(self.rng.choice("abcxyz ABC019_-.,:/=[]{}#"))
            elif choice < 0.8:
                pieces.append(self.pick(["é", "ß", "日本", "\U0001f600", "\u00a0", "\u2028", "\ufeff", "\t", "\x80"],
                                        ["\x00", "\x1f", "\x7f", "\r", "\x08"]))
            elif not literal:
                pieces.append(self.pick(['\\"', "\\\\", "\\n", "\\t", "\\b", "\\f", "\\r", "\\u00e9", "\\U0001F600",
                                         "\\u0000", "\\u001f", "\\u007f", "\\uFFFF"],
                                        ["\\uD800", "\\U00110000", "\\x41", "\\e", "\\ ", "\\u12", "\\"]))
            else:
                pieces.append(self.rng.choice(['"', "\\", "\\n"]))
        return "".join(pieces)

    def basic_string(self, content: str, multiline: bool) -> str:
        if multiline:
            return '"""' + self.rng.choice(["", "\n", "\r\n"]) + content + self.rng.choice(["", '"', '""']) + '"""'
        return '"' + content + '"'

    def string(self) -> str:
        choice = self.rng.random()
        if choice < 0.45:
            return self.basic_string(self.text(0, 10), multiline=False)
        if choice < 0.7:
            return "'" + self.text(0, 10, literal=True).replace("'", "") + "'"
        if choice < 0.88:
            body = self.text(0, 8) + self.rng.choice(["", "\n", "\\\n   ", "\\  \n\n  ", "\r\n", '"', '""', "\\\t\n"]) + self.text(0, 6)
            return self.basic_string(body, multiline=True)
        body = self.text(0, 8, literal=True) + self.rng.choice(["", "\n", "'", "''", "\r\n"]) + self.text(0, 6, literal=True)
        return "'''" + self.rng.choice(["", "\n"]) + body.replace("'''", "") + self.rng.choice(["", "'", "''"]) + "'''"

    # Numbers

    def digits(self, alphabet: str, count: int, underscores: bool = True) -> str:
        out = ""
        for index in range(count):
            if index and underscores and self.chance(0.15):
                out += "_"
            out += self.rng.choice(alphabet)
        return out

    def integer(self) -> str:
        choice = self.rng.random()
        if choice < 0.15:
            return self.pick(["0", "+0", "-0", "9223372036854775807", "-9223372036854775808", "0x7FFFFFFFFFFFFFFF", "0o777",
                              "0b0", "0xdead_BEEF", "1_000"],
                             ["9223372036854775808", "-9223372036854775809", "0x8000000000000000", "00", "01", "0_0",
                              "1__0", "_1", "1_", "0x", "0X1", "+0x1", "0x_1", "0b2", "0o8", "1e", "-0x1"])
        if choice < 0.6:
            sign = self.rng.choice(["", "", "+", "-"])
            first = self.rng.choice("123456789")
            return sign + first + self.digits("0123456789", self.rng.randint(0, 12))
        prefix, alphabet = self.rng.choice([("0x", "0123456789abcdefABCDEF"), ("0o", "01234567"), ("0b", "01")])
        return prefix + self.digits(alphabet, self.rng.randint(1, 14))

    def float(self) -> str:
        choice = self.rng.random()
        if choice < 0.15:
            return self.pick(["inf", "+inf", "-inf", "nan", "+nan", "-nan", "0.0", "-0.0", "+0.0", "1e308", "1e309",
                              "4.9e-324", "2.5e-324", "1.7976931348623157e308", "0e0", "1E+2", "+1.5", "3.14_15",
                              "6.02e2_3", "1e-05", "0.1", "9007199254740993.0", "1e+16"],
                             ["1.", ".5", "1.e2", "01.5", "1_.5", "1._5", "1e_5", "1.5e", "-.5", "Inf", "NaN", "0x1p3",
                              "1e5_", "1.5.5", "infinity", "+-1.5"])
        sign = self.rng.choice(["", "", "+", "-"])
        whole = self.rng.choice(["0", self.rng.choice("123456789") + self.digits("0123456789", self.rng.randint(0, 6))])
        fraction = "." + self.digits("0123456789", self.rng.randint(1, 8)) if self.chance(0.7) else ""
        exponent = ""
        if not fraction or self.chance(0.4):
            exponent = self.rng.choice("eE") + self.rng.choice(["", "+", "-"]) + self.digits("0123456789", self.rng.randint(1, 3))
        return sign + whole + fraction + exponent

    # Dates and times

    def date(self) -> str:
        year = self.pick(["1979", "2000", "1900", "2024", "0001", "9999", "2023"], ["0000", "197", "19790"], 0.005)
        month = self.pick(["01", "02", "04", "12"], ["13", "00", "1"], 0.005)
        leap = int(year) % 4 == 0 and (int(year) % 100 != 0 or int(year) % 400 == 0) if year.isdigit() else False
        longest = {"02": "29" if leap else "28", "04": "30"}.get(month, "31")
        day = self.pick(["01", "15", longest], ["32", "00", "1", "29", "30", "31"], 0.01)
        return f"{year}-{month}-{day}"

    def time(self) -> str:
        hour = self.pick(["00", "07", "23"], ["24", "7"], 0.005)
        minute = self.pick(["00", "32", "59"], ["60", "5"], 0.005)
        second = self.pick([":00", ":59", ":13"], [":60", "", ":5"], 0.005)
        fraction = self.pick(["", "", ".5", ".999999", ".1234567", ".123456789012"], [".", ".x"], 0.005)
        return f"{hour}:{minute}{second}{fraction}"

    def datetime(self) -> str:
        choice = self.rng.random()
        if choice < 0.25:
            return self.date()
        if choice < 0.4:
            return self.time()
        separator = self.pick(["T", "T", "t", " "], ["_", "  "], 0.005)
        offset = self.pick(["", "Z", "z", "+00:00", "-00:00", "+05:30", "-08:00", "+23:59"], ["+24:00", "+05", "+0530", "Zz"], 0.005)
        return self.date() + separator + self.time() + offset

    # Values

    def scalar(self) -> str:
        choice = self.rng.random()
        if choice < 0.3:
            return self.string()
        if choice < 0.5:
            return self.integer()
        if choice < 0.68:
            return self.float()
        if choice < 0.78:
            return self.rng.choice(["true", "false"])
        return self.datetime()

    def value(self, depth: int = 0) -> str:
        choice = self.rng.random()
        if depth < 3 and choice < 0.12:
            return self.array(depth + 1)
        if depth < 3 and choice < 0.22:
            return self.inline_table(depth + 1)
        return self.scalar()

    def array(self, depth: int) -> str:
        items = [self.value(depth) for _ in range(self.rng.randint(0, 4))]
        comma = self.pick([","], [",,", ""], 0.01) if items else self.pick([""], [","], 0.01)
        if self.chance(0.4):
            separator = self.rng.choice([",\n  ", ", # note\n", ",\r\n", " ,\t"])
            tail = self.rng.choice(["", comma, comma + "\n", "\n", " # end\n"])
            return "[\n  " + separator.join(items) + tail + "]"
        return "[" + ", ".join(items) + self.rng.choice(["", "", comma]) + "]"

    def inline_table(self, depth: int) -> str:
        pairs = [f"{self.key(self.rng.choice([1, 1, 2]))} = {self.value(depth)}" for _ in range(self.rng.randint(0, 3))]
        return "{" + self.rng.choice(["", " "]) + ", ".join(pairs) + self.rng.choice(["", " "]) + "}"

    # Documents

    def pair(self) -> str:
        key = self.key(self.rng.choice([1, 1, 1, 2, 3]))
        equals = self.rng.choice([" = ", "=", " =\t", "\t= "])
        comment = self.rng.choice(["", "", " # comment", "#", " # é \t"])
        return key + equals + self.value() + comment

    def document(self) -> str:
        lines: list[str] = []
        headers: list[str] = []
        for _ in range(self.rng.randint(0, 5)):
            lines.append(self.pair())
        for _ in range(self.rng.randint(0, 5)):
            if headers and self.chance(0.3):
                name = self.rng.choice(headers) + "." + self.key_part()
            else:
                name = self.key(self.rng.choice([1, 1, 2]))
            headers.append(name)
            if self.chance(0.3):
                lines.append(f"[[{name}]]")
            else:
                lines.append(self.rng.choice([f"[{name}]", f"[ {name} ]", f"[{name}] # table"]))
            for _ in range(self.rng.randint(0, 4)):
                lines.append(self.pair())
            if self.chance(0.2):
                lines.append(self.rng.choice(["", "# comment", "   ", "\t# indented"]))
        ending = self.rng.choice(["\n", "\n", "\r\n"])
        return ending.join(lines) + self.rng.choice([ending, ""])

    def mutant(self, document: str) -> str:
        if not document:
            return self.rng.choice(SIGNIFICANT)
        choice = self.rng.random()
        position = self.rng.randrange(len(document))
        if choice < 0.3:
            return document[:position] + document[position + 1:]
        if choice < 0.6:
            return document[:position] + self.rng.choice(SIGNIFICANT) + document[position:]
        if choice < 0.8:
            return document[:position] + self.rng.choice(SIGNIFICANT) + document[position + 1:]
        lines = document.split("\n")
        line = self.rng.choice(lines)
        lines.insert(self.rng.randrange(len(lines) + 1), line)
        return "\n".join(lines)


def documents(seed: int, count: int, mutants: int, sources: list[str] = ()) -> list[tuple[str, str]]:
    """(name, text) pairs: `count` generated documents, and `mutants` mutants spread over them
    and `sources`."""
    rng = random.Random(seed)
    generator = Generator(rng)
    result = [(f"generated-{seed}-{index}", generator.document()) for index in range(count)]
    originals = [text for _, text in result] + list(sources)
    for index in range(mutants):
        text = rng.choice(originals) if originals else ""
        for _ in range(rng.choice([1, 1, 2, 3])):
            text = generator.mutant(text)
        result.append((f"mutant-{seed}-{index}", text))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--mutants", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    arguments.directory.mkdir(parents=True, exist_ok=True)
    for name, text in documents(arguments.seed, arguments.count, arguments.mutants):
        (arguments.directory / f"{name}.toml").write_bytes(text.encode())


if __name__ == "__main__":
    main()
