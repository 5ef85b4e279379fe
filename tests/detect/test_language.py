from __future__ import annotations

import pytest

from dataward.detect.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The patient was seen in the clinic and this is the note for the file.", "en"),
        ("Der Patient ist nicht zu Hause und die Nummer ist mit dem Brief gekommen.", "de"),
        ("Le patient est venu pour une consultation et nous avons pris les mesures.", "fr"),
        ("El paciente vino a la consulta y se le dio una cita para el lunes.", "es"),
        ("Il paziente è venuto per una visita e non ha portato la tessera della clinica.", "it"),
        ("4111 1111 1111 1111", None),
        ("", None),
    ],
)
def test_detect_language(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang
