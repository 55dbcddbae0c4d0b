"""Copy for whoever reads a page: the artist, a manager acting for the label, or a manager
acting for an artist under the artist's delegation.

Use types explain themselves to the artist ("Your lyrics are used to train…"); a label's
manager reads them about the party they answer for.
"""

from portal.consent.access import Party, PartyKind


def label_name(party: Party) -> str:
    """The label whose side is the rights holder's, as the party's pages name it."""
    if party.label is not None:
        return party.label.name
    if party.delegation is not None:
        return party.delegation.label.name
    label = party.artist.label if party.artist is not None else None
    return label.name if label is not None else "the label"


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def addressed_to(text: str, party: Party) -> str:
    """A use's explanation for the party's reader: as written for the artist's own team,
    by the party's name for a label's manager ("Ada Lane's lyrics are used…")."""
    if party.via == PartyKind.ARTISTS:
        return text
    name = party.name
    owner = possessive(name)
    return (
        text.replace("Your ", f"{owner} ")
        .replace(" your ", f" {owner} ")
        .replace(" like you", f" like {name}")
    )
