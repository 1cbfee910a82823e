"""The generated docs (docs/ops.md, the README's op list) match the registries."""

from infer import support


def test_ops_doc_is_current() -> None:
    assert support.OPS_DOC.read_text() == support.ops_markdown(), "run: python -m infer.support --update"


def test_readme_op_list_is_current() -> None:
    text = support.README.read_text()
    assert support.updated_readme(text) == text, "run: python -m infer.support --update"


def test_passes_doc_is_current() -> None:
    assert support.PASSES_DOC.read_text() == support.passes_markdown(), "run: python -m infer.support --update"
