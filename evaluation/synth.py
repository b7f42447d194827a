"""Labelled synthetic test data: policy export, conditions document, clause library and truth.

Real policy exports cannot leave the customer, so quality and load tests run on this generator.
Every row belongs to a known clause family, and the truth records per family whether the
conditions contain it word for word, state the same rule in other words, or do not address it at
all, so a run's clusters and advice can be scored (evaluation/quality.py).

    python -m evaluation.synth --rows 2000 --out DIR [--seed 0]   # from a checkout
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import xlsxwriter
from docx import Document

from .truth import Family, write_truth

# --- clause families ----------------------------------------------------------------------------
# Templates hold slots `{kind}` or `{kind:default}`; a digit after the kind (bedrag2) makes a second
# slot of that kind. Kinds: bedrag, datum, naam, bedrijf, bank, lease, adres, plaats, nummer,
# kenteken, klasse.


@dataclass(frozen=True)
class Family:
    """One clause as it recurs on many policies, with how the conditions relate to it."""

    key: str
    branche: str
    text: str  # the core template
    coverage: str = "none"  # "verbatim" | "paraphrase" | "none"
    article: str = ""  # key of the conditions article that covers it
    paraphrase: str = ""  # the conditions' own wording of the rule (paraphrase families)
    extra: str = ""  # policy-specific sentence after the core; never in the conditions

    def core(self) -> str:
        """The core sentence(s) with default slot values: what verbatim conditions contain."""
        return _fill(self.text, None)

    def canonical(self) -> str:
        """The clause as most policies carry it, and as a clause library states it."""
        return f"{self.core()} {_fill(self.extra, None)}".strip()

    def conditions_text(self) -> str:
        """What the conditions document says for this family ("" when it says nothing)."""
        if self.coverage == "verbatim":
            return self.core()
        return _fill(self.paraphrase, None)


def _v(key: str, branche: str, article: str, text: str, extra: str = "") -> Family:
    return Family(key, branche, text, "verbatim", article, extra=extra)


def _p(key: str, branche: str, article: str, text: str, paraphrase: str) -> Family:
    return Family(key, branche, text, "paraphrase", article, paraphrase)


def _n(key: str, branche: str, text: str) -> Family:
    return Family(key, branche, text)


WH, IB, MR, AV, BG, BS, RB, RS = (
    "Woonhuis", "Inboedel", "Motorrijtuigen", "Aansprakelijkheid", "Bedrijfsgebouwen",
    "Bedrijfsschade", "Rechtsbijstand", "Reis",
)

FAMILIES: tuple[Family, ...] = (
    # covered word for word by the conditions
    _v("storm_eigen_risico", WH, "storm",
       "Bij schade ontstaan door storm komt per gebeurtenis een bedrag van {bedrag:250} voor "
       "rekening van verzekeringnemer."),
    _v("storm_definitie", WH, "begrippen",
       "Onder storm wordt verstaan een windsnelheid van ten minste 14 meter per seconde, gemeten "
       "door het dichtstbijzijnde KNMI-weerstation."),
    _v("brand_definitie", BG, "begrippen",
       "Brand is een vuur buiten een haard dat zich door eigen kracht kan uitbreiden, met vlammen "
       "en verbranding als kenmerk."),
    _v("molest", WH, "molest",
       "Niet verzekerd is schade ontstaan door of tijdens molest, waaronder gewapend conflict, "
       "burgeroorlog, opstand, binnenlandse onlusten, oproer en muiterij."),
    _v("atoomkernreacties", BG, "atoom",
       "Uitgesloten is schade die is veroorzaakt door, opgetreden bij of voortgevloeid uit "
       "atoomkernreacties, ongeacht hoe de reactie is ontstaan."),
    _v("terrorisme_nht", BG, "terrorisme",
       "Voor schade door terrorisme geldt een beperkte dekking volgens het Clausuleblad "
       "terrorismedekking van de Nederlandse Herverzekeringsmaatschappij voor Terrorismeschaden "
       "N.V. (NHT)."),
    _v("fraude", IB, "fraude",
       "Bij fraude vervalt ieder recht op uitkering en worden de gemaakte onderzoekskosten op "
       "verzekeringnemer verhaald; tevens volgt registratie in het incidentenregister."),
    _v("sanctiewetgeving", BG, "sanctie",
       "De verzekeraar biedt geen dekking en doet geen uitkering voor zover dit in strijd is met "
       "nationale of internationale sanctiewet- en regelgeving."),
    _v("opzet", IB, "opzet",
       "Schade die opzettelijk of met goedvinden van een verzekerde is veroorzaakt, wordt niet "
       "vergoed."),
    _v("glas_ruitbreuk", WH, "glas",
       "Breuk van ruiten die dienen tot lichtdoorlating in woning of bijgebouw wordt vergoed, "
       "inclusief de kosten van een noodvoorziening."),
    _v("water_leiding", WH, "water",
       "Gedekt is schade door water dat plotseling en onvoorzien is gestroomd uit een aan- of "
       "afvoerleiding of een daarop aangesloten installatie of toestel."),
    _v("neerslag", WH, "water",
       "Schade door regen, sneeuw, hagel of smeltwater die onvoorzien de woning is binnengedrongen "
       "is verzekerd, tenzij het water via openstaande ramen of deuren binnenkwam."),
    _v("vandalisme", BG, "vandalisme",
       "Vandalisme door iemand die wederrechtelijk het gebouw is binnengedrongen is meeverzekerd."),
    _v("opruimingskosten", BG, "extra",
       "Opruimingskosten worden boven het verzekerde bedrag vergoed tot maximaal {bedrag:25000}.",
       "Dit geldt voor de locatie {adres}."),
    _v("bereddingskosten", WH, "extra",
       "Kosten van maatregelen die tijdens of direct na een gedekte gebeurtenis worden genomen om "
       "schade te voorkomen of te beperken, komen voor vergoeding in aanmerking."),
    _v("premie_wanbetaling", IB, "premie",
       "Wordt de premie niet binnen 30 dagen na de vervaldatum betaald, dan wordt de dekking "
       "zonder nadere ingebrekestelling geschorst."),
    _v("premie_aanpassing", WH, "wijziging",
       "Verzekeraar heeft het recht de premie en voorwaarden van alle verzekeringen van dezelfde "
       "soort per een bepaalde datum aan te passen."),
    _v("opzegtermijn", IB, "duur",
       "Na de eerste contractstermijn kan verzekeringnemer de verzekering dagelijks opzeggen met "
       "een opzegtermijn van één maand."),
    _v("schade_melden", WH, "verplichtingen",
       "Verzekeringnemer is verplicht een schade zo spoedig mogelijk, doch uiterlijk binnen 14 "
       "dagen na ontdekking, aan verzekeraar te melden."),
    _v("aangifte_politie", IB, "verplichtingen",
       "Bij diefstal, inbraak, vandalisme of beroving moet direct aangifte worden gedaan bij de "
       "politie en moet het proces-verbaal worden overgelegd."),
    _v("contra_expert", BG, "expert",
       "De omvang van de schade wordt vastgesteld door een door verzekeraar aangewezen expert; "
       "verzekeringnemer mag op eigen kosten een contra-expert benoemen."),
    _v("onderverzekering", IB, "schadevergoeding",
       "Indien de verzekerde som lager is dan de waarde van de verzekerde zaken, vindt uitkering "
       "plaats naar evenredigheid."),
    _v("herbouwwaarde", WH, "schadevergoeding",
       "De schade aan het gebouw wordt vastgesteld op basis van herbouwwaarde, mits binnen 12 "
       "maanden na de schadedatum tot herbouw wordt besloten."),
    _v("nieuwwaarde_inboedel", IB, "schadevergoeding",
       "Inboedel wordt vergoed op basis van nieuwwaarde, behalve voor zaken waarvan de dagwaarde "
       "minder dan 40% van de nieuwwaarde bedraagt."),
    _v("risicowijziging_bestemming", BG, "risico",
       "Verzekeringnemer is verplicht verzekeraar binnen twee maanden in kennis te stellen van een "
       "wijziging in het gebruik of de bestemming van het gebouw.",
       "Het gebouw is bij aanvang in gebruik als {bedrijf}."),
    _v("verjaring", IB, "verjaring",
       "Een vordering tot uitkering verjaart door verloop van drie jaren na de dag waarop de "
       "verzekeringnemer bekend is geworden met de opeisbaarheid."),
    _v("samenloop", WH, "samenloop",
       "Indien de schade ook onder een andere verzekering is gedekt, of gedekt zou zijn als deze "
       "verzekering niet zou bestaan, wordt alleen het bedrag vergoed dat boven de andere "
       "verzekering uitgaat."),
    _v("avp_opzicht", AV, "aansprakelijkheid",
       "Niet gedekt is aansprakelijkheid voor schade aan zaken die een verzekerde onder zich heeft "
       "uit hoofde van huur, lease, pacht of bewaarneming."),
    _v("avp_motorrijtuig", AV, "aansprakelijkheid",
       "Uitgesloten is de aansprakelijkheid voor schade veroorzaakt met of door een motorrijtuig, "
       "tenzij het gaat om een maaimachine of een speelgoedvoertuig met een maximumsnelheid van "
       "10 km per uur."),
    _v("wa_derden", MR, "motor",
       "De verzekering dekt de wettelijke aansprakelijkheid van de bezitter, houder, bestuurder en "
       "passagiers van het motorrijtuig voor schade toegebracht aan derden.",
       "Kenteken: {kenteken}."),
    _v("rijbewijs_alcohol", MR, "motor",
       "Er bestaat geen recht op vergoeding wanneer de bestuurder niet in het bezit is van een "
       "geldig rijbewijs of onder invloed van alcohol of drugs verkeert."),
    _v("bonus_malus", MR, "motor",
       "Na een schadevrij verzekeringsjaar daalt verzekeringnemer één trede op de "
       "bonus-malusladder; na een schade met uitkering stijgt hij vijf treden."),
    _v("rb_wachttijd", RB, "rechtsbijstand",
       "Voor juridische geschillen die binnen drie maanden na ingangsdatum ontstaan bestaat geen "
       "recht op rechtsbijstand."),
    _v("rb_minimumbelang", RB, "rechtsbijstand",
       "Rechtsbijstand wordt alleen verleend als het financieel belang van het geschil meer "
       "bedraagt dan {bedrag:250}."),
    _v("bs_uitkeringstermijn", BS, "bedrijfsschade",
       "De uitkeringstermijn voor bedrijfsschade bedraagt 52 weken, te rekenen vanaf de dag waarop "
       "de gebeurtenis plaatsvond."),
    _v("bs_eerste_uren", BS, "bedrijfsschade",
       "Bedrijfsschade in de eerste 48 uren na de schadeveroorzakende gebeurtenis blijft voor "
       "rekening van verzekerde."),
    _v("klachten_kifid", RB, "klachten",
       "Klachten over de totstandkoming of uitvoering van deze verzekering kunnen worden "
       "voorgelegd aan het Klachteninstituut Financiële Dienstverlening (Kifid)."),
    _v("persoonsgegevens", IB, "privacy",
       "Bij de aanvraag van een verzekering vraagt verzekeraar persoonsgegevens die worden "
       "verwerkt overeenkomstig de Gedragscode Verwerking Persoonsgegevens Financiële "
       "Instellingen."),
    _v("nederlands_recht", AV, "recht",
       "Op deze overeenkomst is uitsluitend Nederlands recht van toepassing; geschillen worden "
       "voorgelegd aan de bevoegde rechter in Nederland."),
    _v("eigendom_gestolen_zaken", IB, "schadevergoeding",
       "Na betaling van de vergoeding voor gestolen zaken gaat de eigendom daarvan over op "
       "verzekeraar, indien deze dat verlangt."),
    _v("inboedel_buitenshuis", IB, "dekking",
       "Inboedel die zich tijdelijk buiten de woning bevindt, is binnen Europa verzekerd tot "
       "maximaal {bedrag:5000} per gebeurtenis."),
    # covered by the conditions in other words
    _p("diefstal_uit_auto", MR, "diefstal",
       "Diefstal van zaken uit een auto is alleen gedekt als er sporen van braak aan de auto zijn "
       "en de zaken niet zichtbaar in de kofferbak lagen; maximaal {bedrag:500} per gebeurtenis.",
       "Ontvreemding van zaken uit een motorrijtuig wordt vergoed tot {bedrag:500}, mits het "
       "motorrijtuig sporen van inbraak vertoont en de zaken onzichtbaar in de afgesloten "
       "kofferruimte waren opgeborgen."),
    _p("eigen_risico_algemeen", WH, "eigenrisico",
       "Per schadegeval geldt een eigen risico van {bedrag:100}, tenzij op het polisblad anders is "
       "vermeld.",
       "Tenzij het polisblad iets anders vermeldt, draagt verzekeringnemer bij iedere gebeurtenis "
       "zelf de eerste {bedrag:100} van de schade als eigen bijdrage."),
    _p("vorstschade_leidingen", WH, "water",
       "Schade door bevriezing van leidingen is niet gedekt wanneer de woning in de winterperiode "
       "onverwarmd was en de waterleiding niet was afgesloten en afgetapt.",
       "Is het woonhuis in de winter niet verwarmd en is de waterleiding niet afgesloten en "
       "leeggemaakt, dan is vorstschade aan leidingen uitgesloten."),
    _p("leegstand", BG, "risico",
       "Bij leegstand van het gebouw langer dan twee maanden is schade door diefstal, vandalisme "
       "en water niet gedekt, tenzij verzekeraar hiermee schriftelijk heeft ingestemd.",
       "Staat het pand meer dan twee maanden leeg, dan zijn ontvreemding, vandalisme en "
       "waterschade uitgesloten, behalve als verzekeraar schriftelijk akkoord heeft gegeven."),
    _p("inbraak_braaksporen", IB, "diefstal",
       "Diefstal uit de woning is uitsluitend verzekerd na braak aan de buitenzijde van de woning, "
       "zichtbaar als braaksporen.",
       "Ontvreemding van huisraad uit het woonhuis wordt alleen vergoed als er aan de buitenkant "
       "van het woonhuis zichtbare sporen van inbraak zijn."),
    _p("grove_schuld", IB, "opzet",
       "Schade als gevolg van roekeloosheid of grove nalatigheid van de verzekerde wordt niet "
       "vergoed.",
       "Verzekeraar keert niet uit wanneer de schade is ontstaan door grove schuld of roekeloos "
       "handelen van een verzekerde."),
    _p("overstroming", WH, "natuur",
       "Schade door overstroming als gevolg van het bezwijken of overlopen van dijken, kaden of "
       "andere waterkeringen is uitgesloten.",
       "Niet gedekt is inundatie die ontstaat doordat een dijk, kade of andere waterkering "
       "bezwijkt of overloopt."),
    _p("aardbeving", WH, "natuur",
       "Niet verzekerd is schade door aardbeving of vulkanische uitbarsting, tenzij brand het "
       "gevolg is van deze gebeurtenissen.",
       "Aardschokken en vulkanische uitbarstingen vallen buiten de dekking; een daardoor ontstane "
       "brand is wel gedekt."),
    _p("glasschade_herstelbedrijf", WH, "glas",
       "Glasschade wordt vergoed zonder toepassing van het eigen risico, mits de ruit wordt "
       "vervangen door een door verzekeraar aangewezen glasherstelbedrijf.",
       "Laat verzekeringnemer de beglazing vervangen door een glasherstelbedrijf dat verzekeraar "
       "aanwijst, dan wordt bij glasbreuk geen eigen risico ingehouden."),
    _p("herstel_in_natura", BG, "schadevergoeding",
       "Verzekeraar kan ervoor kiezen de schade in natura te laten herstellen in plaats van deze "
       "in geld te vergoeden.",
       "In plaats van een uitkering in geld mag verzekeraar het herstel van de schade zelf in "
       "natura laten uitvoeren."),
    _p("premie_restitutie", IB, "premie",
       "Bij tussentijdse beëindiging van de verzekering wordt de te veel betaalde premie naar "
       "rato terugbetaald, onder aftrek van administratiekosten.",
       "Eindigt de verzekering tussentijds, dan betaalt verzekeraar de premie over de resterende "
       "periode terug, verminderd met administratiekosten."),
    _p("adreswijziging", WH, "kennisgeving",
       "Verzekeringnemer moet een adreswijziging binnen 30 dagen schriftelijk doorgeven aan "
       "verzekeraar.",
       "Kennisgevingen aan het laatst bekende adres van verzekeringnemer gelden als rechtsgeldig; "
       "een verhuizing meldt verzekeringnemer binnen 30 dagen."),
    _p("avp_huisdieren", AV, "aansprakelijkheid",
       "Meeverzekerd is de aansprakelijkheid voor schade veroorzaakt door huisdieren van "
       "verzekerde, met uitzondering van schade aan de eigen woning.",
       "De dekking omvat aansprakelijkheid voor schade die door een huisdier van een verzekerde "
       "aan derden wordt toegebracht; schade aan het eigen woonhuis is uitgesloten."),
    _p("rb_eigen_advocaat", RB, "rechtsbijstand",
       "Kosten van een externe advocaat worden vergoed tot maximaal {bedrag:5000} per geschil "
       "wanneer verzekerde zelf een advocaat kiest.",
       "Kiest verzekerde zelf een externe advocaat, dan worden diens kosten per geschil vergoed "
       "tot ten hoogste {bedrag:5000}."),
    _p("groene_kaart", MR, "motor",
       "De dekking geldt in alle landen die op de groene kaart zijn vermeld en niet zijn "
       "doorgehaald.",
       "Het motorrijtuig is verzekerd in de landen die op de groene kaart staan vermeld, voor "
       "zover deze daarop niet zijn doorgestreept."),
    _p("vervangend_vervoer", MR, "motor",
       "Bij uitval van de auto door een gedekte schade heeft verzekeringnemer recht op vervangend "
       "vervoer gedurende maximaal 5 dagen.",
       "Kan het motorrijtuig door een verzekerde schade niet worden gebruikt, dan heeft "
       "verzekeringnemer ten hoogste 5 dagen recht op vervangend vervoer."),
    _p("bs_reconstructie", BS, "bedrijfsschade",
       "Kosten voor reconstructie van administratie en bedrijfsgegevens zijn meeverzekerd tot "
       "{bedrag:10000}.",
       "De kosten om na een gedekte gebeurtenis de administratie en verloren bedrijfsgegevens "
       "opnieuw samen te stellen worden vergoed tot {bedrag:10000}."),
    _p("bs_brutowinst", BS, "bedrijfsschade",
       "Bij bedrijfsstilstand door een gedekte gebeurtenis vergoedt verzekeraar het verlies aan "
       "brutowinst gedurende de uitkeringstermijn.",
       "Verzekerd is de derving van brutowinst als gevolg van bedrijfsschade door een gedekte "
       "gebeurtenis, voor zover deze valt binnen de uitkeringstermijn."),
    _p("tuin_beplanting", WH, "extra",
       "Tuinaanleg en beplanting zijn meeverzekerd tot {bedrag:5000} per gebeurtenis, maar niet "
       "tegen schade door storm of neerslag.",
       "De tuin met beplanting is per gebeurtenis verzekerd tot ten hoogste {bedrag:5000}; schade "
       "aan de tuinaanleg door storm of neerslag valt buiten de dekking."),
    _p("sieraden_maximum", IB, "diefstal",
       "Voor sieraden, horloges en andere lijfsieraden geldt bij diefstal een maximale vergoeding "
       "van {bedrag:6000}.",
       "Bij ontvreemding van juwelen en horloges keert verzekeraar ten hoogste {bedrag:6000} uit."),
    _p("geld_maximum", IB, "diefstal",
       "Geld en geldswaardig papier zijn verzekerd tot maximaal {bedrag:1250} per gebeurtenis.",
       "Voor contant geld, waardebonnen en andere geldswaardige papieren bedraagt de uitkering "
       "per gebeurtenis ten hoogste {bedrag:1250}."),
    _p("fietsdiefstal", IB, "diefstal",
       "Diefstal van fietsen uit een afgesloten schuur of berging is gedekt; bij diefstal elders "
       "moet de fiets met een goedgekeurd slot zijn vastgezet.",
       "Een rijwiel is tegen ontvreemding verzekerd als het in een afgesloten berging stond, of "
       "buiten de berging met een ART-goedgekeurd slot was afgesloten."),
    _p("herbouw_elders", WH, "schadevergoeding",
       "Wordt niet herbouwd op dezelfde locatie, dan wordt de schade vergoed op basis van de "
       "verkoopwaarde van het gebouw.",
       "Besluit verzekeringnemer het gebouw elders of niet te herbouwen, dan is de vergoeding "
       "van de schade gebaseerd op de verkoopwaarde."),
    _p("rookmelders", WH, "zorgplicht",
       "Verzekerde dient in de woning op iedere verdieping een werkende rookmelder te hebben.",
       "In het woonhuis moet op elke verdieping een goed werkende rookmelder aanwezig zijn."),
    _p("medewerking_schaderegeling", AV, "verplichtingen",
       "Verzekerde moet volledige medewerking verlenen aan de schaderegeling en mag niets doen dat "
       "de belangen van verzekeraar kan schaden.",
       "Een verzekerde werkt volledig mee aan de afwikkeling van de schade en laat alles na wat de "
       "belangen van verzekeraar zou kunnen benadelen."),
    _p("slijtage_onderhoud", WH, "onderhoud",
       "Schade die het gevolg is van achterstallig onderhoud of slijtage van het gebouw is niet "
       "gedekt.",
       "Verzekeraar vergoedt geen schade die voortvloeit uit slecht onderhoud of geleidelijke "
       "slijtage van het pand."),
    _p("indexering", WH, "premie",
       "Het verzekerde bedrag en de premie worden jaarlijks op de premievervaldag aangepast aan "
       "het indexcijfer voor bouwkosten.",
       "Op iedere premievervaldatum worden verzekerd bedrag en premie geïndexeerd volgens het "
       "CBS-cijfer van de bouwkosten."),
    _p("huurderving", BG, "extra",
       "Huurderving is meeverzekerd gedurende maximaal 52 weken wanneer het verhuurde gebouw door "
       "een gedekte gebeurtenis onbewoonbaar is geworden.",
       "Wordt het verhuurde pand door een verzekerde gebeurtenis onbewoonbaar, dan vergoedt "
       "verzekeraar het huurverlies voor ten hoogste 52 weken."),
    _p("verblijfskosten", WH, "extra",
       "Bij een gedekte schade vergoedt verzekeraar de noodzakelijke kosten van een hotel of "
       "vakantiewoning tot {bedrag:2500}, zolang de woning niet bewoond kan worden.",
       "Is de woning na een verzekerde schade niet bewoonbaar, dan betaalt verzekeraar tot "
       "{bedrag:2500} de noodzakelijke kosten van verblijf in een hotel of vakantiewoning."),
    _p("opzegging_na_schade", IB, "duur",
       "Verzekeraar kan de verzekering opzeggen na een schademelding, met een opzegtermijn van "
       "twee maanden.",
       "Na een melding van schade heeft verzekeraar het recht de overeenkomst met inachtneming "
       "van een termijn van twee maanden te beëindigen."),
    # not addressed by the conditions
    _n("hypotheekhouder", WH,
       "Hypotheekhouderclausule: de verzekering is mede gesloten ten behoeve van {bank} als "
       "hypotheekhouder. Wijzigingen of het einde van de verzekering worden aan de "
       "hypotheekhouder gemeld."),
    _n("pandrecht_bank", BG,
       "Op de rechten uit deze verzekering rust een pandrecht ten gunste van {bank}. Uitkeringen "
       "boven {bedrag:2500} worden uitsluitend met toestemming van de pandhouder aan "
       "verzekeringnemer gedaan."),
    _n("alarm_vrki", IB,
       "Vereist is een door het Verbond van Verzekeraars erkende inbraakalarminstallatie, "
       "VRKI-klasse {klasse:3}, met doormelding naar een particuliere alarmcentrale. Het "
       "certificaat moet aanwezig zijn."),
    _n("rieten_dak", WH,
       "Het woonhuis heeft een rieten dakbedekking. Dekking geldt op voorwaarde dat het riet "
       "brandvertragend is behandeld en dat in de woning geen open haard zonder vonkenvanger "
       "wordt gebruikt."),
    _n("taxatie_7_960", WH,
       "De verzekerde som is gebaseerd op taxatierapport nr. {nummer} d.d. {datum}, opgemaakt "
       "door {naam}. Dit rapport geldt als taxatie in de zin van artikel 7:960 BW gedurende drie "
       "jaar."),
    _n("premievrije_periode", WH,
       "Aan verzekeringnemer is een premievrije periode toegekend van {datum} tot en met "
       "{datum2:31-03-2024}. Na afloop wordt de premie automatisch geïncasseerd."),
    _n("huurdersbelang", IB,
       "Meeverzekerd is het huurdersbelang, bestaande uit door verzekeringnemer als huurder "
       "aangebrachte veranderingen en verbeteringen aan het gehuurde, tot {bedrag:15000}."),
    _n("zonnepanelen", WH,
       "De op het dak geplaatste zonnepanelen en omvormer zijn meeverzekerd. Schade door "
       "kortsluiting in de omvormer valt onder de dekking tot een maximum van {bedrag:7500}."),
    _n("carport", WH,
       "Meeverzekerd is de vrijstaande houten carport met berging op het adres {adres}, voor een "
       "waarde van {bedrag:12000}."),
    _n("sloten_pkvw", IB,
       "Alle buitendeuren moeten zijn voorzien van goedgekeurde cilindersloten met "
       "kerntrekbeveiliging en alle bereikbare ramen van raamsloten conform Politiekeurmerk "
       "Veilig Wonen."),
    _n("zwembad", WH,
       "Het buitenzwembad inclusief overkapping, pomp- en filterinstallatie is meeverzekerd tot "
       "{bedrag:20000}, mits het bad buiten het zwemseizoen is afgedekt."),
    _n("kunstcollectie", IB,
       "De kunstcollectie volgens bijgevoegde specificatie van {naam} is verzekerd op basis van "
       "getaxeerde waarde; schilderijen dienen op minimaal 1,5 meter van een warmtebron te "
       "hangen."),
    _n("lunchroom_frituur", BG,
       "In het pand wordt een lunchroom geëxploiteerd. Frituren is uitsluitend toegestaan met een "
       "thermostatisch beveiligde frituurinstallatie onder een afzuigkap met vetvanger."),
    _n("blustoestellen", BG,
       "In de bedrijfsruimte moeten draagbare blustoestellen aanwezig zijn die jaarlijks door een "
       "Rijkserkend Onderhoudsbedrijf worden gecontroleerd."),
    _n("camper_stalling", MR,
       "De camper dient buiten het seizoen gestald te worden in een afgesloten stalling op het "
       "adres {adres}; bij stalling elders vervalt de dekking tegen ontvreemding."),
    _n("wisselkenteken", MR,
       "Deze verzekering geldt voor het motorrijtuig met kenteken {kenteken}. Bij gebruik van een "
       "wisselkenteken is steeds slechts één voertuig tegelijk verzekerd."),
    _n("klassieker", MR,
       "Het voertuig is een klassieker en wordt uitsluitend gebruikt voor recreatieve ritten van "
       "maximaal 7.500 kilometer per jaar; dagelijks woon-werkverkeer is niet toegestaan."),
    _n("leaseauto", MR,
       "Het motorrijtuig is eigendom van {lease}; bij totaalverlies of diefstal wordt de "
       "uitkering rechtstreeks aan de leasemaatschappij overgemaakt."),
    _n("jonge_bestuurder", MR,
       "Wanneer het voertuig wordt bestuurd door een persoon jonger dan 24 jaar, geldt een extra "
       "eigen risico van {bedrag:500}."),
    _n("volgsysteem_scm", MR,
       "Dekking tegen diefstal is van kracht op voorwaarde dat het voertuig is uitgerust met een "
       "SCM-gecertificeerd volgsysteem klasse 5 met actief abonnement."),
    _n("woonboot", WH,
       "De woonboot ligt afgemeerd op de vaste ligplaats aan de {adres}; schade door aanvaring "
       "tijdens verplaatsing naar een werf is meeverzekerd."),
    _n("rijksmonument", WH,
       "Het woonhuis is een rijksmonument. Herstel vindt plaats volgens de eisen van de "
       "Rijksdienst voor het Cultureel Erfgoed; de meerkosten zijn gedekt tot 25% van de "
       "herbouwwaarde."),
    _n("verbouwing_bouwmaterialen", WH,
       "Gedurende de verbouwing van {datum} tot {datum2:01-07-2024} is diefstal van "
       "bouwmaterialen die nog niet zijn verwerkt uitgesloten. De aannemer is {bedrijf}."),
    _n("toeristische_verhuur", WH,
       "Kortdurende verhuur van de woning aan toeristen via online platforms is toegestaan tot "
       "maximaal 60 nachten per jaar, mits verzekeraar vooraf is geïnformeerd."),
    _n("drone", AV,
       "Meeverzekerd is aansprakelijkheid voor schade veroorzaakt met een recreatieve drone met "
       "een gewicht van maximaal 4 kilogram, mits gevlogen volgens de geldende regels."),
    _n("werken_op_hoogte", AV,
       "Werkzaamheden op hoogte boven 10 meter en dakdekkerswerk met open vuur, zoals branden met "
       "een gasbrander, zijn van de dekking uitgezonderd."),
    _n("productenexport_vs", AV,
       "Meeverzekerd is productenaansprakelijkheid voor door verzekerde geleverde producten, met "
       "uitzondering van export naar de Verenigde Staten en Canada."),
    _n("installateur_activiteiten", AV,
       "Verzekerd zijn de activiteiten als installateur van verwarmings- en "
       "ventilatiesystemen; andere bedrijfsactiviteiten zijn slechts gedekt na schriftelijke "
       "acceptatie."),
    _n("toeleverancier", BS,
       "Meeverzekerd is bedrijfsschade door een gebeurtenis bij de vaste toeleverancier "
       "{bedrijf}, gevestigd te {plaats}, tot {bedrag:50000}."),
    _n("koelinstallatie", BS,
       "Bederf van koelwaren door het onvoorzien uitvallen van de koelinstallatie is "
       "meeverzekerd, mits de installatie onder een onderhoudscontract valt met jaarlijkse "
       "inspectie."),
    _n("gereedschap_bus", BG,
       "Gereedschap in de bedrijfsbus is 's nachts uitsluitend verzekerd als het voertuig in een "
       "afgesloten garage staat of het gereedschap is uitgeladen."),
    _n("brandbare_vloeistoffen", BG,
       "In het gebouw mogen niet meer dan 50 liter brandbare vloeistoffen worden opgeslagen, "
       "uitsluitend in een brandwerende kast volgens PGS 15."),
    _n("audio_video_valschade", IB,
       "Audio-, video- en computerapparatuur is meeverzekerd tegen val- en stootschade tot "
       "{bedrag:3000} per gebeurtenis."),
    _n("vleugel", IB,
       "De vleugel van het merk Steinway met serienummer {nummer} is verzekerd voor een waarde "
       "van {bedrag:45000} volgens waardebepaling van {naam}."),
    _n("kantoor_aan_huis", IB,
       "Het kantoor aan huis met een oppervlakte van 25 m² is meeverzekerd, inclusief de "
       "zakelijke inventaris tot {bedrag:10000}."),
    _n("wijnkelder", IB,
       "De wijncollectie in de kelder is verzekerd tot {bedrag:20000}; de kelder moet zijn "
       "voorzien van klimaatbeheersing met een temperatuuralarm."),
    _n("paardenstal", BG,
       "De stallen zijn verzekerd inclusief de aanwezige paarden tot {bedrag:8000} per dier; "
       "schade door ziekte of ouderdom van de dieren is niet verzekerd."),
    _n("asbest", WH,
       "In het dak van de schuur is asbesthoudend materiaal verwerkt. Saneringskosten na een "
       "gedekte gebeurtenis worden vergoed tot {bedrag:10000}."),
    _n("houtkachel", WH,
       "In de woonkamer is een houtkachel aanwezig; het rookkanaal moet jaarlijks door een "
       "erkend schoorsteenveger worden geveegd, aantoonbaar met een factuur."),
    _n("laadpaal", WH,
       "De laadpaal voor de elektrische auto op de oprit is meeverzekerd tot {bedrag:2000}, "
       "inclusief schade door overspanning."),
    _n("opdrachtgever_medeverzekerd", AV,
       "Op verzoek van opdrachtgever {bedrijf} is deze opdrachtgever als medeverzekerde "
       "aangemerkt voor zover het werkzaamheden van verzekeringnemer betreft."),
    _n("cyberdekking", BS,
       "Schade door cyberaanvallen, waaronder ransomware en datalekken, valt onder de "
       "cyberdekking tot {bedrag:100000} per verzekeringsjaar."),
    _n("sandwichpanelen", BG,
       "Het bedrijfsgebouw is opgetrokken uit sandwichpanelen met een kern van polyurethaan; de "
       "premie is op basis van deze bouwaard vastgesteld."),
    _n("sprinklerinstallatie", BG,
       "In het bedrijfspand is een automatische sprinklerinstallatie aanwezig die voldoet aan "
       "NEN-EN 12845; de installatie moet halfjaarlijks worden geïnspecteerd."),
    _n("lichtreclame", BG,
       "De lichtreclame op de gevel met de naam {bedrijf} is verzekerd tot {bedrag:4000}."),
    _n("nachtelijke_surveillance", BG,
       "Verzekerde verklaart dat het bedrijfspand buiten openingstijden wordt bewaakt door een "
       "beveiligingsbedrijf met surveillance van minimaal drie rondes per nacht."),
    _n("buurtfeest", AV,
       "Meeverzekerd is het buurtfeest op {datum} aan de {adres}, inclusief de opgebouwde tent en "
       "het podium tot {bedrag:5000}."),
    _n("wintersport_offpiste", RS,
       "Tijdens wintersport is skiën buiten de gemarkeerde pistes uitsluitend gedekt onder "
       "begeleiding van een gediplomeerde gids."),
    _n("annulering_huisgenoot", RS,
       "Annulering wegens ziekte van een huisgenoot is gedekt, mits een doktersverklaring wordt "
       "overgelegd binnen vier weken."),
    _n("sloep", IB,
       "De sloep met ligplaats in de jachthaven van {plaats} is meeverzekerd tot {bedrag:15000}; "
       "de buitenboordmotor dient met een slot te zijn vastgezet."),
    _n("ongevallen_inzittenden", MR,
       "De ongevallenverzekering voor inzittenden keert bij overlijden {bedrag:10000} uit en bij "
       "blijvende invaliditeit maximaal {bedrag2:50000}."),
    _n("bouwkundige_keuring", WH,
       "Dekking is verleend onder voorwaarde van een bouwkundige keuring binnen drie maanden na "
       "ingangsdatum; het keuringsrapport moet aan verzekeraar worden toegezonden."),
    _n("monumentale_boom", WH,
       "Schade door het omvallen van de monumentale eik in de voortuin is alleen gedekt als de "
       "boom jaarlijks door een boomverzorger is gecontroleerd."),
    _n("postzegelverzameling", IB,
       "De postzegelverzameling is verzekerd volgens de bij verzekeraar bekende catalogus van "
       "{datum}, met een maximum van {bedrag:12500}."),
)

# --- slot values -----------------------------------------------------------------------------

_POOLS: dict[str, tuple[str, ...]] = {
    "naam": (
        "J. de Vries", "A.M. Jansen", "P. van den Berg", "K. Bakker", "M. Visser", "R. Smit",
        "H.J. Meijer", "S. de Boer", "L. Mulder", "T. de Groot", "E. Bos", "W. Vos",
        "C. Peters", "N. Hendriks", "G. van Leeuwen", "B. Dekker",
    ),
    "bedrijf": (
        "Bouwbedrijf Van Dijk B.V.", "Jansen Installatietechniek", "Hofman Logistiek B.V.",
        "Bakkerij De Korenschoof", "Autobedrijf Kuipers", "Metaalwerken Oost B.V.",
        "Drukkerij Van Wijk", "Veldhuis Techniek", "Schildersbedrijf Brouwer",
        "Van der Linden Transport",
    ),
    "bank": (
        "Rabobank", "ABN AMRO Bank N.V.", "ING Bank N.V.", "de Volksbank N.V.",
        "Obvion N.V.", "Triodos Bank", "Aegon Hypotheken", "Florius",
    ),
    "lease": (
        "LeasePlan Nederland N.V.", "Athlon Car Lease", "Arval B.V.", "ALD Automotive",
        "Terberg Business Lease",
    ),
    "plaats": (
        "Zwolle", "Amersfoort", "Leeuwarden", "Den Bosch", "Apeldoorn", "Alkmaar", "Breda",
        "Deventer", "Haarlem", "Venlo", "Assen", "Gouda",
    ),
    "klasse": ("3", "2", "4"),
}
_STREETS = (
    "Dorpsstraat", "Kerkweg", "Molenlaan", "Stationsweg", "Beukenlaan", "Industrieweg",
    "Schoolstraat", "Kanaaldijk", "Julianalaan", "Havenstraat",
)
_MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december",
)
_AMOUNT_STYLES: tuple[Callable[[str], str], ...] = (
    lambda s: f"€ {s},-", lambda s: f"EUR {s}", lambda s: f"{s} euro", lambda s: f"€ {s},00",
    lambda s: f"€{s},-",
)
_SLOT = re.compile(r"\{([a-z]+)(\d?)(?::([^}]*))?\}")


def _amount_text(value: int, style: Callable[[str], str]) -> str:
    return style(f"{value:,}".replace(",", "."))


def _nice(value: float) -> int:
    step = 50 if value < 1000 else 250 if value < 10000 else 1000
    return max(step, int(round(value / step)) * step)


def _date_text(day: int, month: int, year: int, style: int) -> str:
    if style == 1:
        return f"{day} {_MONTHS[month - 1]} {year}"
    if style == 2:
        return f"{year}-{month:02d}-{day:02d}"
    if style == 3:
        return f"{day:02d}/{month:02d}/{year}"
    return f"{day:02d}-{month:02d}-{year}"


def _address(rng: random.Random) -> str:
    number = f"{rng.randint(1, 180)}{rng.choice(('', '', '', 'a', 'b'))}"
    return f"{rng.choice(_STREETS)} {number} te {rng.choice(_POOLS['plaats'])}"


def _slot_value(kind: str, default: str | None, rng: random.Random | None) -> str:
    """A slot's text: its default (rng None) or a random policy-specific value."""
    if kind == "bedrag":
        value = int(default or "1000")
        if rng is None:
            return _amount_text(value, _AMOUNT_STYLES[0])
        value = _nice(value * rng.choice((0.5, 0.8, 1, 1, 1.5, 2)))
        return _amount_text(value, rng.choice(_AMOUNT_STYLES))
    if kind == "datum":
        if rng is None:
            return default or "01-01-2024"
        day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2019, 2026)
        return _date_text(day, month, year, rng.randrange(4))
    if kind == "adres":
        return (default or "Dorpsstraat 12 te Zwolle") if rng is None else _address(rng)
    if kind == "nummer":
        return (default or "TX-2023-0147") if rng is None else (
            f"{rng.choice('TRW')}X-{rng.randint(2015, 2025)}-{rng.randint(1, 9999):04d}")
    if kind == "kenteken":
        if rng is None:
            return default or "GH-512-K"
        letters = "BDFGHJKLNPRSTXZ"
        return (f"{rng.choice(letters)}{rng.choice(letters)}-{rng.randint(100, 999)}-"
                f"{rng.choice(letters)}")
    pool = _POOLS[kind]
    return (default or pool[0]) if rng is None else rng.choice(pool)


@cache
def _parts(template: str) -> tuple[tuple[str, str, str | None], ...]:
    """A template split into (literal, slot kind, slot default) triples; kind "" ends it."""
    out: list[tuple[str, str, str | None]] = []
    pos = 0
    for match in _SLOT.finditer(template):
        out.append((template[pos : match.start()], match.group(1), match.group(3)))
        pos = match.end()
    out.append((template[pos:], "", None))
    return tuple(out)


def _fill(template: str, rng: random.Random | None) -> str:
    pieces: list[str] = []
    for literal, kind, default in _parts(template):
        pieces.append(literal)
        if kind:
            pieces.append(_slot_value(kind, default, rng))
    return "".join(pieces)


# --- row variants ------------------------------------------------------------------------------

_PREFIXES = ("Clausule: ", "Let op: ", "NB: ", "Clausule - ")


def _typos(text: str, rng: random.Random, count: int) -> str:
    """Swap two letters in, or drop a letter from, `count` longer words."""
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 6 and word.isalpha()]
    for i in rng.sample(candidates, min(count, len(candidates))):
        word = words[i]
        j = rng.randrange(1, len(word) - 2)
        if rng.random() < 0.5:
            words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        else:
            words[i] = word[:j] + word[j + 1 :]
    return " ".join(words)


def _variant(family: Family, rng: random.Random) -> str:
    """One policy's copy of a clause: mostly the standard text, else with small differences."""
    if rng.random() < 0.5:
        return _canonical(family)
    text = f"{_fill(family.text, rng)} {_fill(family.extra, rng)}".strip()
    if rng.random() < 0.25:
        text = _typos(text, rng, 2 if rng.random() < 0.3 else 1)
    if rng.random() < 0.1:
        text = rng.choice(_PREFIXES) + text
    roll = rng.random()
    if roll < 0.04:
        text = text.upper()
    elif roll < 0.08:
        text = text.lower()
    roll = rng.random()
    if roll < 0.06:
        text = text.rstrip(".")
    elif roll < 0.09:
        text = f" {text}  "
    elif roll < 0.11 and text.endswith("."):
        text = text[:-1] + ";"
    return text


@cache
def _canonical(family: Family) -> str:
    return family.canonical()


# --- one-off texts and special rows ------------------------------------------------------------

_UNIQUE_OPENINGS = (
    "Meeverzekerd is {obj} op het adres {adres}, tot een maximum van {bedrag:3000}.",
    "In aanvulling op de polis is {obj} van {naam} verzekerd vanaf {datum}.",
    "Verzekeringnemer verklaart dat {obj} uitsluitend door {naam} wordt gebruikt.",
    "Op verzoek van {naam} is {obj} per {datum} aan deze polis toegevoegd.",
    "Voor {obj} geldt een afwijkende waarde van {bedrag:8000} volgens opgave van {naam}.",
    "De dekking voor {obj} is beperkt tot de locatie {adres}.",
    "Na inspectie door {naam} op {datum} is {obj} in de verzekering ingesloten.",
    "Tot {datum} loopt een tijdelijke dekking voor {obj} in opslag bij {bedrijf}.",
    "Schade aan {obj} wordt pas vergoed als de aankoopnota van {bedrijf} wordt overgelegd.",
    "Verzekeraar heeft kennisgenomen van {obj} aan de {adres} en accepteert dit risico.",
    "Bij verlies van {obj} keert verzekeraar ten hoogste {bedrag:2000} uit.",
    "Eigenaar van {obj} is {naam}; de verzekering geldt mede in diens belang.",
    "Tegen een bijpremie is {obj} ook buiten Nederland gedekt.",
    "Het gebruik van {obj} voor commerciële doeleinden is door {naam} gemeld.",
    "Waardevermeerdering van {obj} na {datum} moet apart worden opgegeven.",
    "Vervoer van {obj} naar {plaats} is eenmalig meeverzekerd.",
    "Voor {obj} is een onderhoudsbewijs van {bedrijf} overgelegd.",
    "Aanschafwaarde {obj}: {bedrag:4500}, aankoop bij {bedrijf}.",
    "Dekking voor {obj} start pas na ontvangst van de ondertekende verklaring.",
    "Ook {obj} van de inwonende schoonmoeder valt onder deze polis.",
)
_UNIQUE_OBJECTS = (
    "de serre aan de achterzijde", "het tuinhuis van 12 m²", "de elektrische bakfiets",
    "de hottub in de achtertuin", "de muntencollectie", "de antieke staande klok",
    "de drie kweekkassen", "de bedrijfsbus met inrichting", "de inpandige garagebox",
    "de overkapping boven het terras", "de warmtepomp met buitenunit",
    "de thuisbatterij in de meterkast", "de aanlegsteiger", "de camera-uitrusting",
    "het kerkorgel in de woonkamer", "de verwarmde hobbykas", "de modelspoorbaan op zolder",
    "de inpandige sauna", "de buitenkeuken met pizzaoven", "de golfuitrusting",
    "de duikuitrusting", "de kinderopvangruimte", "de praktijkruimte van de fysiotherapeut",
    "de opslagcontainer op het erf", "de bijenkasten", "de kleine windturbine",
    "de telescoop in het observatorium", "de bibliotheek met oude drukken",
    "het glas-in-loodraam in het trappenhuis", "de tandartsstoel", "de bakkersoven",
    "de kappersstoelen", "de vitrinekasten in de winkel", "de tractor met maaibalk",
    "de paardentrailer", "de noodstroomgenerator", "de koelcel in de schuur",
    "de houten brug over de sloot", "de zeilboot op de trailer", "de pipowagen",
)
_UNIQUE_REMARKS = (
    "Zie ook de brief van {datum}.", "Afspraak gemaakt met tussenpersoon {naam}.",
    "De premie hiervoor is verrekend in de jaarpremie.", "Dossiernummer {nummer}.",
    "Geldig zolang de situatie ongewijzigd blijft.", "Foto's zijn aanwezig in het dossier.",
    "Akkoord acceptatie {naam}, {datum}.", "Opgave waarde door verzekeringnemer.",
    "Wijziging op verzoek van de klant.", "Aanvullende jaarpremie {bedrag:75}.",
    "Conform offerte {nummer}.", "Het object was bij de inspectie in goede staat.",
    "Na één jaar wordt deze afspraak opnieuw beoordeeld.", "Overleg gevoerd met {bedrijf}.",
    "Geen bijzonderheden bekend.",
    "Taxatiewaarde bevestigd per e-mail.", "Ingevoerd door de binnendienst.",
    "Verlenging jaarlijks in overleg.", "Betaling per kwartaal.",
    "Overgenomen van de vorige verzekeraar {bedrijf}.", "Controle ter plaatse volgt.",
    "Klant is akkoord met de extra premie.", "Nota ontvangen op {datum}.",
    "Gebruik uitsluitend in het weekend.", "Referentie tussenpersoon {nummer}.",
)

_LONG_TEXT = (
    "Bijzondere voorwaarden voor het zomerfestival op het terrein van de voormalige suikerfabriek. "
    "Verzekerd zijn de tijdelijke bouwwerken, waaronder drie podia, een overkapte bar, de "
    "toiletunits en de hekwerken rond het terrein, vanaf het moment van opbouw tot en met de "
    "afbouw. De organisator zorgt voor een door de gemeente goedgekeurd veiligheidsplan, een "
    "EHBO-post die tijdens de openingstijden bemand is en voldoende verlichting van de "
    "looproutes. Bij windkracht 7 of meer volgens de meest recente weersverwachting worden de "
    "podiumdaken neergelaten en de losse decorstukken verankerd of naar binnen gebracht. Schade "
    "aan apparatuur die door artiesten zelf is meegebracht valt buiten deze afspraak, tenzij "
    "deze apparatuur vooraf met serienummer is opgegeven. Opbouwploegen werken onder toezicht "
    "van een gecertificeerde rigger. Na afloop levert de organisator binnen twee weken een "
    "evaluatie aan, waarin ook bijna-ongevallen en meldingen van bezoekers zijn opgenomen."
)
_SPECIALS: tuple[tuple[str, str], ...] = (
    ("empty", ""),
    ("short", "zie polis"),
    ("long", _LONG_TEXT),
    ("placeholder", "Naam hypotheekhouder: [invullen]"),
    ("mojibake",
     "De dekking geldt ook voor de patiÃ«ntendossiers en de medische apparatuur in de "
     "praktijkruimte; coÃ¶rdinatie van het herstel ligt bij verzekeraar."),
    ("expired",
     "Tijdelijke meeverzekering van de feesttent in de tuin tijdens het jubileum. Deze clausule "
     "is geldig tot 01-01-2020."),
    ("formula", '=ALS(D2="";"Geen clausule";D2)'),
)


def _unique_texts(count: int, rng: random.Random) -> list[str]:
    """One-off clauses; texts sharing an opening differ in both object and remark.

    At most len(_UNIQUE_OPENINGS) * len(_UNIQUE_REMARKS) texts: texts that differ only in a short
    part would be near-duplicates, not one-offs.
    """
    combos = [(o, r) for o in _UNIQUE_OPENINGS for r in _UNIQUE_REMARKS]
    objects = {o: rng.sample(_UNIQUE_OBJECTS, len(_UNIQUE_OBJECTS)) for o in _UNIQUE_OPENINGS}
    texts = []
    for opening, remark in rng.sample(combos, min(count, len(combos))):
        template = opening.replace("{obj}", objects[opening].pop())
        text = f"{_fill(template, rng)} {_fill(remark, rng)}"
        texts.append(text[0].upper() + text[1:])
    return texts


# --- the conditions document -------------------------------------------------------------------
# (article id, key, title, own sentences); covered families are added to the article of their key.

_ARTICLES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("1", "begrippen", "Begripsomschrijvingen", (
        "In deze voorwaarden wordt verstaan onder verzekeringnemer: degene die de verzekering met "
        "verzekeraar is aangegaan.",
        "Onder verzekerde wordt verstaan: verzekeringnemer en de personen die met hem in "
        "gezinsverband samenwonen.",
        "Gebeurtenis: een voorval of een reeks met elkaar verband houdende voorvallen met dezelfde "
        "oorzaak, waardoor schade ontstaat.",
        "Polisblad: het document waarop de verzekerde objecten, de verzekerde bedragen en de "
        "bijzondere bepalingen zijn vermeld.",
    )),
    ("2", "dekking", "Omvang van de dekking", (
        "Verzekerd is schade aan de verzekerde zaken die het gevolg is van een plotselinge en "
        "onzekere gebeurtenis, voor zover deze in dit artikel is omschreven.",
        "De dekking geldt binnen Nederland, tenzij in deze voorwaarden anders is bepaald.",
    )),
    ("2.1", "brand", "Brand, ontploffing en blikseminslag", (
        "Gedekt is schade door brand, ook als deze is ontstaan door eigen gebrek van de verzekerde "
        "zaak.",
        "Schade door ontploffing en door blikseminslag is eveneens verzekerd.",
    )),
    ("2.2", "storm", "Storm", (
        "Schade door storm aan het gebouw en aan de zaken die zich in het gebouw bevinden is "
        "gedekt.",
    )),
    ("2.3", "diefstal", "Diefstal en inbraak", (
        "Verzekerd is diefstal van inboedel na wederrechtelijk binnendringen van de woning.",
    )),
    ("2.4", "water", "Water en neerslag", (
        "Als water in de zin van deze voorwaarden geldt ook stoom.",
    )),
    ("2.5", "glas", "Glas", (
        "Onder glas wordt verstaan vensterglas, glas in deuren en glas in windschermen van "
        "balkons.",
    )),
    ("2.6", "vandalisme", "Vandalisme", (
        "Onder vandalisme wordt verstaan het wederrechtelijk vernielen of beschadigen van zaken "
        "door derden.",
    )),
    ("2.7", "extra", "Aanvullende vergoedingen", (
        "Boven het verzekerde bedrag vergoedt verzekeraar de hierna genoemde kosten, voor zover "
        "deze verband houden met een gedekte gebeurtenis.",
    )),
    ("3", "uitsluitingen", "Algemene uitsluitingen", (
        "Naast de uitsluitingen die elders in deze voorwaarden zijn genoemd, gelden de volgende "
        "algemene uitsluitingen.",
    )),
    ("3.1", "molest", "Molest", ()),
    ("3.2", "atoom", "Atoomkernreacties", (
        "Deze uitsluiting geldt niet voor radioactieve nucliden die buiten een kerninstallatie "
        "worden gebruikt voor industriële, medische of wetenschappelijke doeleinden.",
    )),
    ("3.3", "opzet", "Opzet en grove schuld", (
        "Deze uitsluiting geldt voor iedere verzekerde, ook als de schade is veroorzaakt door een "
        "ander met wie hij in gezinsverband samenwoont.",
    )),
    ("3.4", "natuur", "Natuurrampen", (
        "Onder natuurramp wordt in dit artikel verstaan een gebeurtenis van uitzonderlijke omvang "
        "die een groot gebied treft.",
    )),
    ("3.5", "terrorisme", "Terrorisme", (
        "Het Protocol afwikkeling claims van de NHT is op deze verzekering van toepassing.",
    )),
    ("3.6", "fraude", "Fraude", (
        "Van fraude is onder meer sprake wanneer bij het melden van een schade opzettelijk "
        "onjuiste of onvolledige informatie wordt verstrekt.",
    )),
    ("3.7", "sanctie", "Sanctiewetgeving", ()),
    ("3.8", "onderhoud", "Slijtage en onderhoud", (
        "Verzekerde is verplicht de verzekerde zaken in goede staat te houden.",
    )),
    ("4", "eigenrisico", "Eigen risico", (
        "Het eigen risico wordt per gebeurtenis één keer in mindering gebracht op de "
        "schadevergoeding.",
    )),
    ("5", "verplichtingen", "Verplichtingen bij schade", (
        "Verzekerde is verplicht alle inlichtingen en documenten te verstrekken die voor de "
        "beoordeling van de schade van belang zijn.",
    )),
    ("6", "zorgplicht", "Zorgplicht", (
        "Verzekerde gedraagt zich als een zorgvuldig eigenaar en gebruikt de verzekerde zaken "
        "waarvoor zij bestemd zijn.",
    )),
    ("7", "expert", "Schadevaststelling", (
        "Verzekeraar kan de schade ook zelf vaststellen op basis van offertes of nota's.",
    )),
    ("8", "schadevergoeding", "Schadevergoeding", (
        "De schadevergoeding wordt betaald binnen vier weken nadat verzekeraar alle benodigde "
        "gegevens heeft ontvangen.",
    )),
    ("9", "premie", "Premie", (
        "De premie, de kosten en de assurantiebelasting moeten vooruit worden betaald.",
    )),
    ("10", "wijziging", "Wijziging van premie en voorwaarden", (
        "Verzekeringnemer wordt vooraf over de aanpassing geïnformeerd en kan de verzekering "
        "binnen 30 dagen na de kennisgeving beëindigen als hij niet akkoord gaat.",
    )),
    ("11", "duur", "Duur en beëindiging", (
        "De verzekering wordt aangegaan voor de termijn die op het polisblad is vermeld en wordt "
        "daarna stilzwijgend verlengd.",
    )),
    ("12", "risico", "Risicowijziging", (
        "Verzekeraar beoordeelt na een melding of de verzekering kan worden voortgezet en tegen "
        "welke premie.",
    )),
    ("13", "aansprakelijkheid", "Aansprakelijkheid particulieren", (
        "Verzekerd is de aansprakelijkheid van verzekerde als particulier voor schade aan personen "
        "of zaken van derden.",
    )),
    ("14", "motor", "Motorrijtuigen", (
        "De dekking van het motorrijtuig is op het polisblad vermeld als WA, WA beperkt casco of "
        "WA volledig casco.",
    )),
    ("15", "rechtsbijstand", "Rechtsbijstand", (
        "De rechtsbijstand wordt verleend door de juristen van de rechtshulpverlener die "
        "verzekeraar heeft aangewezen.",
    )),
    ("16", "bedrijfsschade", "Bedrijfsschade", (
        "De bedrijfsschade wordt berekend aan de hand van de administratie van het verzekerde "
        "bedrijf.",
    )),
    ("17", "samenloop", "Samenloop", ()),
    ("18", "verjaring", "Verjaring", (
        "De verjaring wordt gestuit door een schriftelijke mededeling waarin verzekeringnemer zich "
        "ondubbelzinnig het recht op uitkering voorbehoudt.",
    )),
    ("19", "klachten", "Klachten", (
        "Een klacht kan eerst worden ingediend bij de directie van verzekeraar.",
    )),
    ("20", "privacy", "Persoonsgegevens", (
        "Verzekeraar kan de gegevens raadplegen bij de Stichting CIS ter beheersing van risico's "
        "en ter voorkoming van fraude.",
    )),
    ("21", "recht", "Toepasselijk recht", ()),
    ("22", "kennisgeving", "Kennisgevingen", (
        "Mededelingen van verzekeraar kunnen ook elektronisch worden gedaan als verzekeringnemer "
        "daarmee heeft ingestemd.",
    )),
    ("23", "mededelingsplicht", "Mededelingsplicht bij het aangaan", (
        "Verzekeringnemer is verplicht vóór het sluiten van de verzekering alle feiten mee te "
        "delen die hij kent of behoort te kennen en waarvan hij weet of behoort te begrijpen dat "
        "zij voor de beslissing van verzekeraar van belang zijn.",
        "Bij niet-nakoming van deze plicht gelden de gevolgen die zijn beschreven in de artikelen "
        "7:929 en 7:930 BW.",
    )),
    ("24", "verhaal", "Verhaal en terugvordering", (
        "Verzekeraar kan een onverschuldigd betaalde uitkering terugvorderen binnen de wettelijke "
        "termijnen.",
        "Verzekeraar is bevoegd betaalde schadevergoedingen te verhalen op degene die "
        "aansprakelijk is voor de schade.",
    )),
    ("25", "rente", "Wettelijke rente", (
        "Over een uitkering die later wordt betaald dan vier weken na ontvangst van alle gegevens, "
        "is verzekeraar de wettelijke rente verschuldigd.",
    )),
    ("26", "tussenpersoon", "Tussenpersoon", (
        "Verzekeringnemer die zijn verzekering via een tussenpersoon heeft gesloten, kan "
        "mededelingen via deze tussenpersoon aan verzekeraar doen.",
        "Een mededeling aan de tussenpersoon geldt als mededeling aan verzekeraar zodra deze de "
        "mededeling heeft doorgestuurd.",
    )),
    ("27", "faillissement", "Faillissement", (
        "Bij faillissement of surseance van betaling van verzekeringnemer kan verzekeraar de "
        "verzekering met ingang van de datum van faillietverklaring beëindigen.",
    )),
    ("28", "overlijden", "Overlijden van verzekeringnemer", (
        "Na het overlijden van verzekeringnemer loopt de verzekering door ten name van de "
        "erfgenamen, tenzij zij de verzekering binnen negen maanden beëindigen.",
    )),
    ("29", "overdracht", "Overdracht van het verzekerde object", (
        "Bij verkoop van het verzekerde object eindigt de verzekering dertig dagen na de "
        "overdracht, tenzij de nieuwe eigenaar de verzekering binnen die termijn overneemt.",
    )),
    ("30", "identificatie", "Identificatie", (
        "Verzekeraar kan verzekeringnemer vragen zich te legitimeren op grond van de wettelijke "
        "regels ter voorkoming van witwassen.",
    )),
    ("31", "uitleg", "Uitleg van de voorwaarden", (
        "Bij tegenstrijdigheid gaan de bijzondere voorwaarden voor op de algemene voorwaarden, en "
        "gaan de gegevens op het polisblad voor op beide.",
    )),
    ("32", "elektronisch", "Elektronische communicatie", (
        "Verzekeraar mag de polis en andere documenten digitaal verstrekken via de persoonlijke "
        "online omgeving van verzekeringnemer.",
    )),
    ("33", "valuta", "Valuta", (
        "Alle bedragen in deze voorwaarden en op het polisblad luiden in euro's.",
    )),
    ("34", "schadebureau", "Schadebehandeling door derden", (
        "Verzekeraar kan de behandeling van schaden opdragen aan een gespecialiseerd schadebureau "
        "dat namens verzekeraar optreedt.",
    )),
    ("35", "hoofdelijkheid", "Hoofdelijkheid", (
        "Zijn meer verzekeringnemers bij deze verzekering betrokken, dan is ieder van hen "
        "hoofdelijk verbonden voor de premie en de overige verplichtingen.",
    )),
    ("36", "slot", "Slotbepaling", (
        "Deze voorwaarden zijn gedeponeerd bij de griffie van de rechtbank en kunnen op verzoek "
        "kosteloos worden toegezonden.",
    )),
)
_ARTICLE_ID = {key: article_id for article_id, key, _, _ in _ARTICLES}
_CONDITIONS_TITLE = "Algemene voorwaarden Woon- en Bedrijfsverzekering (synthetisch)"


def _conditions() -> list[tuple[int, str]]:
    """The conditions as (heading level, text) lines; level 0 is body text."""
    added: dict[str, list[str]] = {}
    for family in FAMILIES:
        if family.coverage != "none":
            added.setdefault(family.article, []).append(family.conditions_text())
    lines: list[tuple[int, str]] = []
    for article_id, key, title, own in _ARTICLES:
        if "." in article_id:
            lines.append((2, f"{article_id} {title}"))
        else:
            lines.append((1, f"Artikel {article_id} {title}"))
        # the covered rules sit between the article's own sentences, three sentences a paragraph
        sentences = [*own[:1], *added.get(key, []), *own[1:]]
        for start in range(0, len(sentences), 3):
            lines.append((0, " ".join(sentences[start : start + 3])))
    return lines


def _write_conditions(docx_path: Path, txt_path: Path) -> None:
    document = Document()
    document.add_heading(_CONDITIONS_TITLE, level=0)
    text_lines = [_CONDITIONS_TITLE]
    for level, text in _conditions():
        if level:
            document.add_heading(text, level=level)
            text_lines.extend(["", text])
        else:
            document.add_paragraph(text)
            text_lines.append(text)
    document.save(str(docx_path))
    txt_path.write_text("\n".join(text_lines) + "\n", encoding="utf-8")


# --- the clause library ------------------------------------------------------------------------

_LIBRARY_SHARE = 0.15
# standard clauses that no policy row carries, so matching a row to the library has to choose
_LIBRARY_EXTRAS: tuple[tuple[str, str], ...] = (
    ("Schade aan de vloerverwarming door het doorboren van leidingen bij klussen is meeverzekerd "
     "tot € 2.500,-.", WH),
    ("De mantelzorgwoning op het eigen perceel is meeverzekerd tot een herbouwwaarde van "
     "€ 150.000,-.", WH),
    ("De schadevrije korting van de bedrijfsauto gaat niet over bij vervanging van het "
     "voertuig.", MR),
    ("Tijdens een ziekenhuisopname van meer dan vijf dagen vergoedt verzekeraar de kosten van "
     "opvang voor huisdieren tot € 500,-.", IB),
    ("Schade door graafwerkzaamheden aan ondergrondse kabels is uitsluitend gedekt als vooraf "
     "een KLIC-melding is gedaan.", AV),
    ("Goederen van derden die verzekerde in consignatie heeft, zijn meeverzekerd tot "
     "€ 20.000,-.", BG),
)


_CODE_LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"


def _library_code(rng: random.Random, taken: set[str]) -> str:
    """A new code like "9NX3": digit, two upper-case letters, digit."""
    while True:
        letters = rng.choice(_CODE_LETTERS) + rng.choice(_CODE_LETTERS)
        code = f"{rng.randint(1, 9)}{letters}{rng.randint(0, 9)}"
        if code not in taken:
            taken.add(code)
            return code


# --- rows, policies and files ------------------------------------------------------------------

_BRANCHES: dict[str, tuple[str, tuple[str, ...]]] = {
    WH: ("WH", ("WH-2016", "WH-2019", "WH-2022")),
    IB: ("IB", ("IB-2016", "IB-2021")),
    MR: ("MR", ("MR-2018", "MR-2023")),
    AV: ("AV", ("AVP-2017", "AVB-2020")),
    BG: ("BG", ("BG-2015", "BG-2021")),
    BS: ("BS", ("BS-2019",)),
    RB: ("RB", ("RB-2020",)),
    RS: ("RS", ("RS-2022",)),
}
# a few families fill most rows and many fill few, as in real exports
_ZIPF_EXPONENT = 1.1
_COLUMNS = ("Polisnummer", "Branche", "Ingangsdatum", "Tekst", "Productcode")


def _family_counts(budget: int, families: Sequence[Family]) -> list[int]:
    """Zipf-like row counts (in the given rank order) summing to `budget`, each at least 1."""
    weights = [1 / (rank + 1) ** _ZIPF_EXPONENT for rank in range(len(families))]
    spare = budget - len(families)
    total = sum(weights)
    shares = [spare * w / total for w in weights]
    counts = [1 + int(share) for share in shares]
    # largest remainders get the rows that rounding down left over
    order = sorted(range(len(shares)), key=lambda i: int(shares[i]) - shares[i])
    for i in order[: budget - sum(counts)]:
        counts[i] += 1
    return counts


def _row_sources(
    rows: int, rng: random.Random
) -> tuple[list[tuple[str, str, str]], dict[str, dict]]:
    """(family id, branche, text) per row before policy grouping, and truth per family id."""
    per_special = 1 + rows // 25000
    sources: list[tuple[str, str, str]] = []
    truth: dict[str, dict] = {}
    branches = list(_BRANCHES)
    for kind, text in _SPECIALS:
        fam_id = f"special_{kind}"
        count = min(per_special, rows - len(sources))
        sources.extend((fam_id, rng.choice(branches), text) for _ in range(count))
        if count:
            truth[fam_id] = _truth_entry("none", None, f"special:{kind}")
    for i, text in enumerate(_unique_texts(min(rows - len(sources), max(1, rows // 100)), rng)):
        fam_id = f"unique_{i + 1:04d}"
        sources.append((fam_id, rng.choice(branches), text))
        truth[fam_id] = _truth_entry("none", None, "unique")
    budget = rows - len(sources)
    ranked = rng.sample(FAMILIES, len(FAMILIES))[:budget]
    library = set(rng.sample(range(len(ranked)), round(_LIBRARY_SHARE * len(ranked))))
    taken: set[str] = set()
    for rank, (family, count) in enumerate(zip(ranked, _family_counts(budget, ranked))):
        code = _library_code(rng, taken) if rank in library else None
        article = _ARTICLE_ID[family.article] if family.coverage != "none" else None
        truth[family.key] = _truth_entry(family.coverage, article, "family", code)
        sources.extend((family.key, family.branche, "") for _ in range(count))
    return sources, truth


def _truth_entry(coverage: str, article: str | None, kind: str, code: str | None = None) -> Family:
    return {"coverage": coverage, "library_code": code, "article": article, "kind": kind}


def _policies(
    sources: list[tuple[str, str, str]], rng: random.Random
) -> list[tuple[dict[str, str], list[tuple[str, str, str]]]]:
    """Rows grouped into policies of one branche with 1-4 clauses each, in random order."""
    by_branche: dict[str, list[tuple[str, str, str]]] = {}
    for source in sources:
        by_branche.setdefault(source[1], []).append(source)
    chunks = []
    for branche, members in by_branche.items():
        rng.shuffle(members)
        start = 0
        while start < len(members):
            size = rng.choice((1, 1, 2, 2, 3, 4))
            chunks.append((branche, members[start : start + size]))
            start += size
    rng.shuffle(chunks)
    numbers = rng.sample(range(1_000_000, 10_000_000), len(chunks))  # unique policy numbers
    policies = []
    for number, (branche, members) in zip(numbers, chunks):
        prefix, products = _BRANCHES[branche]
        year, month, day = rng.randint(2012, 2025), rng.randint(1, 12), rng.randint(1, 28)
        header = {
            "Polisnummer": f"{prefix}{number}", "Branche": branche,
            "Ingangsdatum": f"{day:02d}-{month:02d}-{year}", "Productcode": rng.choice(products),
        }
        policies.append((header, members))
    return policies


def _write_policies(xlsx_path: Path, csv_path: Path, table: list[tuple[str, ...]]) -> None:
    workbook = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Polissen")
    for r, row in enumerate([_COLUMNS, *table]):
        for c, value in enumerate(row):
            # write_string: a text starting with "=" must stay text, not become a formula
            sheet.write_string(r, c, value)
    workbook.close()
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(_COLUMNS)
        writer.writerows(table)


def _write_library(path: Path, truth: dict[str, dict], rng: random.Random) -> None:
    by_key = {family.key: family for family in FAMILIES}
    entries = [
        (entry["library_code"], _canonical(by_key[fam_id]), by_key[fam_id].branche)
        for fam_id, entry in truth.items() if entry["library_code"]
    ]
    taken = {code for code, _, _ in entries}
    entries += [(_library_code(rng, taken), text, cat) for text, cat in _LIBRARY_EXTRAS]
    rng.shuffle(entries)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(("Code", "Tekst", "Categorie"))
        writer.writerows(entries)


def generate(rows: int, out_dir: str | Path, seed: int = 0) -> dict[str, Path]:
    """Write a labelled synthetic data set of `rows` policy rows into `out_dir`.

    Returns the paths under the keys policies (xlsx), policies_csv, conditions (docx),
    conditions_txt, library (csv) and truth (json). The same seed gives the same files.
    """
    if rows < 1:
        raise ValueError("rows must be at least 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    sources, truth = _row_sources(rows, rng)
    by_key = {family.key: family for family in FAMILIES}
    table: list[tuple[str, ...]] = []
    row_family: list[str] = []
    for header, members in _policies(sources, rng):
        for fam_id, _, text in members:
            family = by_key.get(fam_id)
            cells = {**header, "Tekst": _variant(family, rng) if family else text}
            table.append(tuple(cells[column] for column in _COLUMNS))
            row_family.append(fam_id)
    paths = {
        "policies": out_dir / "polissen.xlsx",
        "policies_csv": out_dir / "polissen.csv",
        "conditions": out_dir / "voorwaarden.docx",
        "conditions_txt": out_dir / "voorwaarden.txt",
        "library": out_dir / "clausulebibliotheek.csv",
        "truth": out_dir / "truth.json",
    }
    _write_policies(paths["policies"], paths["policies_csv"], table)
    _write_conditions(paths["conditions"], paths["conditions_txt"])
    _write_library(paths["library"], truth, rng)
    write_truth(paths["truth"], {"generator": "synth", "seed": seed, "rows": rows, "families": truth,
                                 "row_family": row_family})
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.synth",
                                     description="generate a labelled policy export, conditions and library")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = generate(args.rows, Path(args.out), seed=args.seed)
    print(json.dumps({k: str(v) for k, v in paths.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
