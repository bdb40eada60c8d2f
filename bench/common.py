"""What every benchmark returns: a section of the report, with each figure beside its target."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Figure:
    name: str
    value: str
    target: str = ""
    met: bool | None = None  # None: a figure shown for context, with no target of its own

    @property
    def verdict(self) -> str:
        return "" if self.met is None else ("met" if self.met else "**not met**")


@dataclass
class Section:
    title: str
    intro: str = ""
    figures: list[Figure] = field(default_factory=list)
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)  # caption, head, rows
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, value: str, target: str = "", met: bool | None = None) -> None:
        self.figures.append(Figure(name, value, target, met))

    def table(self, caption: str, head: list[str], rows: list[list[str]]) -> None:
        self.tables.append((caption, head, rows))

    @property
    def all_met(self) -> bool:
        return all(f.met is not False for f in self.figures)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def md_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render(section: Section) -> str:
    out = [f"## {section.title}", ""]
    if section.intro:
        out += [section.intro, ""]
    if section.figures:
        out.append(
            md_table(
                ["Figure", "Measured", "Target", "Verdict"],
                [[f.name, f.value, f.target, f.verdict] for f in section.figures],
            )
        )
        out.append("")
    for caption, head, rows in section.tables:
        out += [f"**{caption}**", "", md_table(head, rows), ""]
    for note in section.notes:
        out += [note, ""]
    return "\n".join(out)
