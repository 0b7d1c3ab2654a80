"""A note that writes out a citation's year or page and then cites it gets a coded warning from `check`."""

from __future__ import annotations

from readingedition.anchor import anchor_edition
from readingedition.check.citations import doubled_citations
from readingedition.load import load_edition

from editions_factory import make_edition, note_yaml

REFERENCES = """\
references:
  - id: brinton1970
    type: book
    author: [{family: Brinton, given: Maurice}]
    title: The Bolsheviks and Workers' Control
    publisher: Solidarity
    issued: {date-parts: [[1970]]}
"""


def warnings_for(tmp_path, note: str) -> list[tuple[str, str]]:
    root = make_edition(
        tmp_path,
        notes=note_yaml(id="src", quote="The Long Book", note=note),
        files={"annotations/references.yaml": REFERENCES},
    )
    return [(d.code, d.message) for d in doubled_citations(anchor_edition(load_edition(root, cache=False)))]


def test_a_year_written_out_before_its_citation_is_doubled(tmp_path):
    assert warnings_for(tmp_path, "Brinton (London: Solidarity, 1970) [@brinton1970].") == [
        ("A007", "note `src` gives the year 1970 and then cites @brinton1970, which prints it again")
    ]


def test_a_page_written_out_before_its_citation_is_doubled(tmp_path):
    [(code, message)] = warnings_for(tmp_path, "See pp. 140–141 [@brinton1970, 140-141].")
    assert code == "A007" and "the page 140-141" in message


def test_a_citation_alone_or_far_from_the_year_is_not_doubled(tmp_path):
    assert warnings_for(tmp_path, "The chronicle of the years after the revolution [@brinton1970, 12].") == []
    far = "Written in 1970, " + "a long and careful account of the factory committees and the unions, " * 2
    assert warnings_for(tmp_path, far + "[@brinton1970].") == []
    assert warnings_for(tmp_path, "Brinton's own account [-@brinton1970, p. 3].") == []
    assert warnings_for(tmp_path, 'The footnote\'s "Brinton, p. 3" is this book [@brinton1970, 3].') == []
