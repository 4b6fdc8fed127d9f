"""The one label schema. Everything else (labeling config, ClassLabel names, id2label, model card) is
generated from here, so adding a type is a one-line change."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

from .errors import VnerError

# Order matters: it fixes the BIO label ids in every dataset and model.
ENTITY_TYPES: tuple[str, ...] = ("PER", "ORG", "LOC", "DATE")

ENTITY_DESCRIPTIONS: dict[str, str] = {
    "PER": "person names, without titles or honorifics",
    "ORG": "organisations: ministries, agencies, companies, universities, news agencies, blocs",
    "LOC": "locations: countries, provinces, cities, regions, rivers and other places",
    "DATE": "calendar dates and ranges, relative calendar references; not durations or ages",
}

# Label Studio region colours (only cosmetic).
ENTITY_COLORS: dict[str, str] = {"PER": "#e8684a", "ORG": "#5b8ff9", "LOC": "#5ad8a6", "DATE": "#f6bd16"}

# Names of the tags in the labeling config: regions in tasks and exports refer to them.
FROM_NAME = "label"
TO_NAME = "text"

BIO_LABELS: tuple[str, ...] = ("O",) + tuple(f"{p}-{t}" for t in ENTITY_TYPES for p in ("B", "I"))


def id2label() -> dict[int, str]:
    return dict(enumerate(BIO_LABELS))


def label2id() -> dict[str, int]:
    return {label: i for i, label in enumerate(BIO_LABELS)}


def labeling_config_xml(entity_types: tuple[str, ...] = ENTITY_TYPES) -> str:
    """Label Studio labeling config for span labelling over `$text` (character offsets)."""
    labels = "\n".join(
        f"    <Label value={quoteattr(t)} background={quoteattr(ENTITY_COLORS.get(t, '#999999'))}"
        f" hint={quoteattr(ENTITY_DESCRIPTIONS.get(t, t))}/>"
        for t in entity_types
    )
    return (
        "<View>\n"
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">\n'
        f"{labels}\n"
        "  </Labels>\n"
        f'  <Text name="{TO_NAME}" value="$text" granularity="symbol"/>\n'
        "</View>\n"
    )


def labels_in_config(xml: str, *, source: str = "labeling config") -> set[str]:
    """Every Label value declared in a Label Studio labeling config (any Labels tag)."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise VnerError(f"{source}: not valid XML ({exc}).") from None
    return {el.get("value", "") for el in root.iter() if el.tag == "Label"}


def check_config_labels(xml: str, *, source: str = "labeling config") -> None:
    """Refuse a labeling config that declares labels outside the schema."""
    extra = labels_in_config(xml, source=source) - set(ENTITY_TYPES)
    if extra:
        raise VnerError(
            f"{source}: labels {sorted(extra)} are not in the vner schema {list(ENTITY_TYPES)}; "
            "use a project whose labeling config comes from `vner config`, or rename those labels."
        )
