"""DDEX ERN messages written for these tests from the standard's public definitions
(the ERN 4.1 and 3.8.2 XML schemas, the 4.2/4.3 SoundRecordingEdition): an album on two
discs and a single sharing one of its recordings, parties from a PartyList (4.x) or
named inline (3.8), a purge, and a 3.8 take-down deal. Identifiers are valid unless a
test says otherwise.

The album, "Northern Tides" by Ada Moss (ISNI 0000000121032683):
  disc 1: 1. Harbour Lights (USRC17607839), 2. Salt Roads (GBAYE0601498, featuring
          Kit Reed)
  disc 2: 1. Low Water (FRZ039800212)
The single "Harbour Lights" carries USRC17607839 again.
"""

import io
from typing import TypeVar

from portal.imports.formats import read
from portal.imports.records import Item

T = TypeVar("T")

ADA_ISNI = "0000000121032683"
KIT_ISNI = "0000000081354548"
JO_ISNI = "0000000368356153"
ALBUM_GRID = "A1ABCDE00000000010"
ALBUM_ICPN = "5060123456783"
SINGLE_UPC = "886000000000"


def _root(name: str, prefix: str, namespace: str, attributes: str) -> tuple[str, str]:
    """The root's start and end tags, in `prefix` (or the default namespace if empty)."""
    qualified = f"{prefix}:{name}" if prefix else name
    declaration = f"xmlns:{prefix}" if prefix else "xmlns"
    return (
        f'<{qualified} {declaration}="{namespace}" {attributes}>',
        f"</{qualified}>",
    )


def _edition(isrc: str, year: str, version: str) -> str:
    if version == "41":
        return (
            f"<ResourceId><ISRC>{isrc}</ISRC></ResourceId>"
            f"<PLine><Year>{year}</Year><PLineText>(P) {year} Northern Lights</PLineText></PLine>"
        )
    return (
        "<SoundRecordingEdition><Type>NonImmersiveEdition</Type>"
        f"<ResourceId><ISRC>{isrc}</ISRC></ResourceId>"
        f"<PLine><Year>{year}</Year><PLineText>(P) {year} Northern Lights</PLineText></PLine>"
        "</SoundRecordingEdition>"
    )


def ern4_album(
    *,
    prefix: str = "ern",
    version: str = "43",
    first_isrc: str = "USRC17607839",
    first_title: str = "Harbour Lights",
    ada: str = "Ada Moss",
    iswc: str = "T-034.524.680-1",
    duration: str = "PT3M25S",
    year: str = "2019",
) -> str:
    """An ERN 4 NewReleaseMessage: the album on two discs, the single, their track
    releases, a cover image, and the parties in a PartyList."""
    start, end = _root(
        "NewReleaseMessage",
        prefix,
        f"http://ddex.net/xml/ern/{version}",
        f'AvsVersionId="4" LanguageAndScriptCode="en" ReleaseProfileVersionId="Audio/{version}"',
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{start}
  <MessageHeader>
    <MessageId>NL-2019-0001</MessageId>
    <MessageSender><PartyId>PADPIDA2099010101B</PartyId>
      <PartyName><FullName>Northern Lights Records</FullName></PartyName></MessageSender>
    <MessageCreatedDateTime>2019-03-01T10:00:00Z</MessageCreatedDateTime>
  </MessageHeader>
  <PartyList>
    <Party><PartyReference>PAda</PartyReference>
      <PartyName><FullName>{ada}</FullName></PartyName>
      <PartyName LanguageAndScriptCode="ja"><FullName>エイダ・モス</FullName></PartyName>
      <PartyId><ISNI>{ADA_ISNI}</ISNI></PartyId></Party>
    <Party><PartyReference>PKit</PartyReference>
      <PartyName><FullName>Kit Reed</FullName></PartyName>
      <PartyId><ISNI>{KIT_ISNI}</ISNI></PartyId></Party>
    <Party><PartyReference>PJo</PartyReference>
      <PartyName><FullName>Jo Vale</FullName></PartyName>
      <PartyId><ISNI>{JO_ISNI}</ISNI></PartyId></Party>
    <Party><PartyReference>PSam</PartyReference>
      <PartyName><FullName>Sam Hart</FullName></PartyName></Party>
    <Party><PartyReference>PLabel</PartyReference>
      <PartyName><FullName>Northern Lights Records</FullName></PartyName></Party>
  </PartyList>
  <ResourceList>
    <SoundRecording>
      <ResourceReference>A1</ResourceReference>
      <Type>MusicalWorkSoundRecording</Type>
      {_edition(first_isrc, year, version)}
      <WorkId><ISWC>{iswc}</ISWC></WorkId>
      <DisplayTitleText>{first_title}</DisplayTitleText>
      <DisplayTitle><TitleText>{first_title}</TitleText></DisplayTitle>
      <DisplayArtistName>{ada}</DisplayArtistName>
      <DisplayArtist SequenceNumber="1">
        <ArtistPartyReference>PAda</ArtistPartyReference>
        <DisplayArtistRole>MainArtist</DisplayArtistRole></DisplayArtist>
      <Contributor SequenceNumber="2"><ContributorPartyReference>PSam</ContributorPartyReference>
        <Role>Producer</Role><Role>MixingEngineer</Role></Contributor>
      <Contributor SequenceNumber="1"><ContributorPartyReference>PJo</ContributorPartyReference>
        <Role>ComposerLyricist</Role></Contributor>
      <Contributor SequenceNumber="3"><ContributorPartyReference>PSam</ContributorPartyReference>
        <Role>ArtDirector</Role></Contributor>
      <Duration>{duration}</Duration>
      <ParentalWarningType>NotExplicit</ParentalWarningType>
    </SoundRecording>
    <SoundRecording>
      <ResourceReference>A2</ResourceReference>
      <Type>MusicalWorkSoundRecording</Type>
      {_edition("GBAYE0601498", "2019", version)}
      <DisplayTitleText>Salt Roads</DisplayTitleText>
      <DisplayTitle><TitleText>Salt Roads</TitleText></DisplayTitle>
      <DisplayArtistName>Ada Moss feat. Kit Reed</DisplayArtistName>
      <DisplayArtist SequenceNumber="2">
        <ArtistPartyReference>PKit</ArtistPartyReference>
        <DisplayArtistRole>FeaturedArtist</DisplayArtistRole></DisplayArtist>
      <DisplayArtist SequenceNumber="1">
        <ArtistPartyReference>PAda</ArtistPartyReference>
        <DisplayArtistRole>MainArtist</DisplayArtistRole></DisplayArtist>
      <Contributor SequenceNumber="1"><ContributorPartyReference>PJo</ContributorPartyReference>
        <Role>Composer</Role></Contributor>
      <Contributor SequenceNumber="2"><ContributorPartyReference>PSam</ContributorPartyReference>
        <Role UserDefinedValue="Vocal Producer">UserDefined</Role></Contributor>
      <Duration>PT4M2S</Duration>
      <ParentalWarningType>NotExplicit</ParentalWarningType>
    </SoundRecording>
    <SoundRecording>
      <ResourceReference>A3</ResourceReference>
      <Type>MusicalWorkSoundRecording</Type>
      {_edition("FRZ039800212", "2018", version)}
      <DisplayTitleText>Low Water</DisplayTitleText>
      <DisplayTitle><TitleText>Low Water</TitleText></DisplayTitle>
      <DisplayArtistName>Ada Moss</DisplayArtistName>
      <DisplayArtist SequenceNumber="1">
        <ArtistPartyReference>PAda</ArtistPartyReference>
        <DisplayArtistRole>MainArtist</DisplayArtistRole></DisplayArtist>
      <Contributor SequenceNumber="1"><ContributorPartyReference>PKit</ContributorPartyReference>
        <Role>Musician</Role><HasMadeFeaturedContribution>true</HasMadeFeaturedContribution>
      </Contributor>
      <Duration>PT0H2M58.5S</Duration>
      <ParentalWarningType>NotExplicit</ParentalWarningType>
    </SoundRecording>
    <Image>
      <ResourceReference>A4</ResourceReference>
      <Type>FrontCoverImage</Type>
      <ResourceId><ProprietaryId Namespace="DPID:PADPIDA2099010101B">IMG-1</ProprietaryId>
      </ResourceId>
    </Image>
  </ResourceList>
  <ReleaseList>
    <Release>
      <ReleaseReference>R0</ReleaseReference>
      <ReleaseType>Album</ReleaseType>
      <ReleaseId><GRid>{ALBUM_GRID}</GRid><ICPN>{ALBUM_ICPN}</ICPN>
        <ProprietaryId Namespace="DPID:PADPIDA2099010101B">NL-CAT-001</ProprietaryId>
      </ReleaseId>
      <DisplayTitleText>Northern Tides</DisplayTitleText>
      <DisplayTitle><TitleText>Northern Tides</TitleText></DisplayTitle>
      <DisplayArtistName>Ada Moss</DisplayArtistName>
      <DisplayArtist SequenceNumber="1"><ArtistPartyReference>PAda</ArtistPartyReference>
        <DisplayArtistRole>MainArtist</DisplayArtistRole></DisplayArtist>
      <ReleaseLabelReference>PLabel</ReleaseLabelReference>
      <Genre><GenreText>Folk</GenreText></Genre>
      <ReleaseDate>2019-05-03</ReleaseDate>
      <ParentalWarningType>NotExplicit</ParentalWarningType>
      <ResourceGroup>
        <ResourceGroup>
          <SequenceNumber>1</SequenceNumber>
          <ResourceGroupContentItem><SequenceNumber>1</SequenceNumber>
            <ReleaseResourceReference>A1</ReleaseResourceReference></ResourceGroupContentItem>
          <ResourceGroupContentItem><SequenceNumber>2</SequenceNumber>
            <ReleaseResourceReference>A2</ReleaseResourceReference></ResourceGroupContentItem>
        </ResourceGroup>
        <ResourceGroup>
          <SequenceNumber>2</SequenceNumber>
          <ResourceGroupContentItem><SequenceNumber>1</SequenceNumber>
            <ReleaseResourceReference>A3</ReleaseResourceReference></ResourceGroupContentItem>
        </ResourceGroup>
        <LinkedReleaseResourceReference LinkDescription="FrontCover">A4
        </LinkedReleaseResourceReference>
      </ResourceGroup>
    </Release>
    <Release>
      <ReleaseReference>R1</ReleaseReference>
      <ReleaseType>Single</ReleaseType>
      <ReleaseId><ICPN>{SINGLE_UPC}</ICPN></ReleaseId>
      <DisplayTitleText>Harbour Lights</DisplayTitleText>
      <DisplayTitle><TitleText>Harbour Lights</TitleText></DisplayTitle>
      <DisplayArtistName>Ada Moss</DisplayArtistName>
      <DisplayArtist SequenceNumber="1"><ArtistPartyReference>PAda</ArtistPartyReference>
        <DisplayArtistRole>MainArtist</DisplayArtistRole></DisplayArtist>
      <ReleaseLabelReference>PLabel</ReleaseLabelReference>
      <Genre><GenreText>Folk</GenreText></Genre>
      <ReleaseDate>2019-03-01</ReleaseDate>
      <ParentalWarningType>NotExplicit</ParentalWarningType>
      <ResourceGroup>
        <ResourceGroupContentItem><SequenceNumber>1</SequenceNumber>
          <ReleaseResourceReference>A1</ReleaseResourceReference></ResourceGroupContentItem>
        <ResourceGroupContentItem>
          <ReleaseResourceReference>A4</ReleaseResourceReference></ResourceGroupContentItem>
      </ResourceGroup>
    </Release>
    <TrackRelease>
      <ReleaseReference>R2</ReleaseReference>
      <ReleaseId><ISRC>{first_isrc}</ISRC></ReleaseId>
      <ReleaseResourceReference>A1</ReleaseResourceReference>
      <ReleaseLabelReference>PLabel</ReleaseLabelReference>
      <Genre><GenreText>Folk</GenreText></Genre>
    </TrackRelease>
  </ReleaseList>
  <DealList>
    <ReleaseDeal><DealReleaseReference>R0</DealReleaseReference>
      <Deal><DealTerms><TerritoryCode>Worldwide</TerritoryCode>
        <ValidityPeriod><StartDate>2019-05-03</StartDate></ValidityPeriod>
        <CommercialModelType>SubscriptionModel</CommercialModelType>
        <UseType>OnDemandStream</UseType></DealTerms></Deal></ReleaseDeal>
  </DealList>
{end}
"""


def ern4_purge(*, prefix: str = "ern", grid: str = ALBUM_GRID, icpn: str = ALBUM_ICPN) -> str:
    start, end = _root(
        "PurgeReleaseMessage", prefix, "http://ddex.net/xml/ern/43", 'LanguageAndScriptCode="en"'
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{start}
  <MessageHeader><MessageId>NL-2024-0009</MessageId>
    <MessageSender><PartyId>PADPIDA2099010101B</PartyId></MessageSender>
    <MessageCreatedDateTime>2024-09-24T14:57:25+01:00</MessageCreatedDateTime>
  </MessageHeader>
  <PurgedRelease>
    <ReleaseId><GRid>{grid}</GRid><ICPN>{icpn}</ICPN></ReleaseId>
    <Title><TitleText>Northern Tides</TitleText></Title>
  </PurgedRelease>
{end}
"""


def _artist38(name: str, isni: str, role: str, sequence: int) -> str:
    party_id = f'<PartyId IsISNI="true">{isni}</PartyId>' if isni else ""
    return (
        f'<DisplayArtist SequenceNumber="{sequence}"><PartyName><FullName>{name}</FullName>'
        f"</PartyName>{party_id}<ArtistRole>{role}</ArtistRole></DisplayArtist>"
    )


def _recording38(
    reference: str, isrc: str, title: str, artists: str, contributors: str, extra: str = ""
) -> str:
    return f"""
    <SoundRecording>
      <SoundRecordingType>MusicalWorkSoundRecording</SoundRecordingType>
      <SoundRecordingId><ISRC>{isrc}</ISRC></SoundRecordingId>
      {extra}
      <ResourceReference>{reference}</ResourceReference>
      <ReferenceTitle><TitleText>{title} (reference)</TitleText></ReferenceTitle>
      <Duration>PT3M25S</Duration>
      <SoundRecordingDetailsByTerritory>
        <TerritoryCode>DE</TerritoryCode>
        <Title TitleType="DisplayTitle"><TitleText>{title} (German edit)</TitleText></Title>
      </SoundRecordingDetailsByTerritory>
      <SoundRecordingDetailsByTerritory>
        <TerritoryCode>Worldwide</TerritoryCode>
        <Title TitleType="FormalTitle"><TitleText>{title} (formal)</TitleText></Title>
        <Title TitleType="DisplayTitle"><TitleText>{title}</TitleText></Title>
        {artists}
        {contributors}
        <LabelName>Northern Lights Records</LabelName>
        <PLine><Year>2019</Year><PLineText>(P) 2019 Northern Lights</PLineText></PLine>
      </SoundRecordingDetailsByTerritory>
    </SoundRecording>"""


def ern38_album(*, prefix: str = "ern", take_down_single: bool = True) -> str:
    """An ERN 3.8.2 NewReleaseMessage: the album's first two tracks on one disc and the
    single, with names inline, and a deal that takes the single down."""
    start, end = _root(
        "NewReleaseMessage",
        prefix,
        "http://ddex.net/xml/ern/382",
        'MessageSchemaVersionId="ern/382" LanguageAndScriptCode="en"',
    )
    ada = _artist38("Ada Moss", ADA_ISNI, "MainArtist", 1)
    kit = _artist38("Kit Reed", "", "FeaturedArtist", 2)
    writers = (
        '<IndirectResourceContributor SequenceNumber="1"><PartyName><FullName>Jo Vale'
        f'</FullName></PartyName><PartyId Namespace="ISNI">{JO_ISNI}</PartyId>'
        "<IndirectResourceContributorRole>Composer</IndirectResourceContributorRole>"
        "<IndirectResourceContributorRole>Lyricist</IndirectResourceContributorRole>"
        "</IndirectResourceContributor>"
    )
    producer = (
        '<ResourceContributor SequenceNumber="2"><PartyName><FullName>Sam Hart</FullName>'
        "</PartyName><ResourceContributorRole>Producer</ResourceContributorRole>"
        "</ResourceContributor>"
    )
    iswc = "<IndirectSoundRecordingId><ISWC>T0702371821</ISWC></IndirectSoundRecordingId>"
    deal = "<TakeDown>true</TakeDown>" if take_down_single else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{start}
  <MessageHeader><MessageThreadId>NL-38</MessageThreadId><MessageId>NL-38-1</MessageId>
    <MessageSender><PartyId>PADPIDA2099010101B</PartyId></MessageSender>
    <MessageRecipient><PartyId>PADPIDA2099020202C</PartyId></MessageRecipient>
    <MessageCreatedDateTime>2019-03-01T10:00:00Z</MessageCreatedDateTime>
  </MessageHeader>
  <UpdateIndicator>OriginalMessage</UpdateIndicator>
  <ResourceList>
    {_recording38("A1", "USRC17607839", "Harbour Lights", ada, writers + producer, iswc)}
    {_recording38("A2", "GBAYE0601498", "Salt Roads", ada + kit, writers)}
  </ResourceList>
  <ReleaseList>
    <Release IsMainRelease="true">
      <ReleaseId><GRid>{ALBUM_GRID}</GRid><ICPN IsEan="true">{ALBUM_ICPN}</ICPN></ReleaseId>
      <ReleaseReference>R0</ReleaseReference>
      <ReferenceTitle><TitleText>Northern Tides</TitleText></ReferenceTitle>
      <ReleaseResourceReferenceList>
        <ReleaseResourceReference ReleaseResourceType="PrimaryResource">A1
        </ReleaseResourceReference>
        <ReleaseResourceReference ReleaseResourceType="PrimaryResource">A2
        </ReleaseResourceReference>
      </ReleaseResourceReferenceList>
      <ReleaseType>Album</ReleaseType>
      <ReleaseDetailsByTerritory>
        <TerritoryCode>Worldwide</TerritoryCode>
        <DisplayArtistName>Ada Moss</DisplayArtistName>
        <LabelName>Northern Lights Records</LabelName>
        <Title TitleType="DisplayTitle"><TitleText>Northern Tides</TitleText></Title>
        {ada}
        <ResourceGroup>
          <ResourceGroup><SequenceNumber>1</SequenceNumber>
            <ResourceGroupContentItem><SequenceNumber>1</SequenceNumber>
              <ResourceType>SoundRecording</ResourceType>
              <ReleaseResourceReference>A1</ReleaseResourceReference></ResourceGroupContentItem>
            <ResourceGroupContentItem><SequenceNumber>2</SequenceNumber>
              <ResourceType>SoundRecording</ResourceType>
              <ReleaseResourceReference>A2</ReleaseResourceReference></ResourceGroupContentItem>
          </ResourceGroup>
        </ResourceGroup>
        <Genre><GenreText>Folk</GenreText></Genre>
        <OriginalReleaseDate>2019-05-03</OriginalReleaseDate>
      </ReleaseDetailsByTerritory>
    </Release>
    <Release>
      <ReleaseId><ICPN IsEan="false">{SINGLE_UPC}</ICPN>
        <ProprietaryId Namespace="DPID:PADPIDA2099010101B">NL-SGL-7</ProprietaryId></ReleaseId>
      <ReleaseReference>R1</ReleaseReference>
      <ReferenceTitle><TitleText>Harbour Lights</TitleText></ReferenceTitle>
      <ReleaseResourceReferenceList>
        <ReleaseResourceReference>A1</ReleaseResourceReference>
      </ReleaseResourceReferenceList>
      <ReleaseType>Single</ReleaseType>
      <ReleaseDetailsByTerritory><TerritoryCode>Worldwide</TerritoryCode>
        <DisplayArtistName>Ada Moss</DisplayArtistName>
        {ada}
        <ReleaseDate>2019-03-01</ReleaseDate>
      </ReleaseDetailsByTerritory>
    </Release>
    <Release>
      <ReleaseId><ISRC>USRC17607839</ISRC></ReleaseId>
      <ReleaseReference>R2</ReleaseReference>
      <ReferenceTitle><TitleText>Harbour Lights</TitleText></ReferenceTitle>
      <ReleaseResourceReferenceList>
        <ReleaseResourceReference>A1</ReleaseResourceReference>
      </ReleaseResourceReferenceList>
      <ReleaseType>TrackRelease</ReleaseType>
      <ReleaseDetailsByTerritory><TerritoryCode>Worldwide</TerritoryCode>
        <DisplayArtistName>Ada Moss</DisplayArtistName></ReleaseDetailsByTerritory>
    </Release>
  </ReleaseList>
  <DealList>
    <ReleaseDeal><DealReleaseReference>R0</DealReleaseReference>
      <Deal><DealTerms><CommercialModelType>SubscriptionModel</CommercialModelType>
        <Usage><UseType>OnDemandStream</UseType></Usage>
        <TerritoryCode>Worldwide</TerritoryCode>
        <ValidityPeriod><StartDate>2019-05-03</StartDate></ValidityPeriod>
      </DealTerms></Deal></ReleaseDeal>
    <ReleaseDeal><DealReleaseReference>R1</DealReleaseReference>
      <DealReleaseReference>R2</DealReleaseReference>
      <Deal><DealTerms>{deal}<TerritoryCode>Worldwide</TerritoryCode>
        <ValidityPeriod><StartDate>2024-01-01</StartDate></ValidityPeriod>
      </DealTerms></Deal></ReleaseDeal>
  </DealList>
{end}
"""


def items_of(document: str | bytes, encoding: str = "utf-8") -> list[Item]:
    """Every item `formats.read` yields for the document (encoded if text)."""
    data = document.encode(encoding) if isinstance(document, str) else document
    return list(read(io.BytesIO(data)))


def of_type(items: list[Item], kind: type[T]) -> list[T]:
    return [item for item in items if isinstance(item, kind)]
