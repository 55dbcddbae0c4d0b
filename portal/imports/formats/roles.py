"""Contributor roles as files name them (DDEX's ContributorRole, ResourceContributorRole
and MusicalWorkContributorRole values, or the CSV's own words) mapped onto the roles
the portal credits (`records.Role`).

- MainArtist, Artist, LeadPerformer: performer; FeaturedArtist: featured.
- Composer, Arranger of the work (CISAC's "Composer"); Lyricist, Librettist, Author
  (CISAC's "Author" writes the words); ComposerLyricist is credited as both.
- Every producer of the recording (Producer, StudioProducer, CoProducer,
  ExecutiveProducer, VocalProducer, Remixer...): producer.
- Every engineer and mixer (RecordingEngineer, MixingEngineer, MasteringEngineer, Mixer,
  Tonmeister...): engineer.
- Those who play or sing on it (Musician, StudioMusician, Vocalist, BackgroundVocalist,
  Soloist, Conductor, Orchestra, Choir, Ensemble, DJ, Programmer, MusicArranger...):
  musician.
- Anything else (art direction, photography, film and video crews, rights companies,
  `Unknown`) is not a music credit and is dropped. A `UserDefined` role is mapped by
  its `UserDefinedValue` the same way.
"""

import functools
import re

from portal.imports.records import Role


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).lower()


_EXACT: dict[str, tuple[Role, ...]] = {
    _key(name): roles
    for names, roles in (
        (
            "MainArtist Artist LeadPerformer PrimaryPerformer Performer",
            (Role.PERFORMER,),
        ),
        ("FeaturedArtist Featured", (Role.FEATURED,)),
        ("Composer Writer Songwriter Arranger SubArranger Adapter", (Role.COMPOSER,)),
        ("Lyricist Librettist Author SubLyricist Translator", (Role.LYRICIST,)),
        ("ComposerLyricist", (Role.COMPOSER, Role.LYRICIST)),
        (
            "Musician StudioMusician PrimaryMusician Soloist Vocalist LeadVocalist "
            "BackgroundVocalist PlaybackSinger Accompanyist AdditionalPerformer "
            "AssociatedPerformer Conductor GuestConductor StudioConductor AssistantConductor "
            "SecondConductor Choir ChoirMember ChorusMaster Orchestra OrchestraMember "
            "ConcertMaster Ensemble MusicGroup GroupMember BandLeader DJ ClubDJ Programmer "
            "MusicArranger VocalArranger MusicDirector StringsDirector Repetiteur Instrumentalist "
            "Rapper Singer",
            (Role.MUSICIAN,),
        ),
        ("Engineer", (Role.ENGINEER,)),
    )
    for name in names.split()
}
# Producers of things other than the recording.
_NOT_MUSIC = re.compile(r"^(film|video|news|book|program|series|post|production)", re.I)


# A file names a handful of roles on every recording.
@functools.lru_cache(maxsize=1024)
def roles_of(name: str) -> tuple[Role, ...]:
    """The portal's roles for a role as the file names it; empty when it is not a music
    credit (dropped)."""
    key = _key(name)
    if key in _EXACT:
        return _EXACT[key]
    if _NOT_MUSIC.match(key):
        return ()
    if key.endswith("producer") or key == "remixer":
        return (Role.PRODUCER,)
    if "engineer" in key or key.endswith("mixer") or key in ("tonmeister", "soundrecordist"):
        return (Role.ENGINEER,)
    return ()
