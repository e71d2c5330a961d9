"""The `katalog` command: build, validate, export and manage members. Exit 1 on any problem."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from katalog import db as database
from katalog.content import load_catalogue

DEFAULT_BASE_URL = "http://localhost:8501"


def _problem_lines(problems) -> list[str]:
    return [f"{p.path}: {p.field}: {p.message}" for p in problems]


@click.group(help="Use-case-kataloget for nye data fra almen praksis.")
@click.option("--db", "db_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Databasefil (standard: $KATALOG_DB eller catalogue.db).")
@click.pass_context
def main(ctx: click.Context, db_file: Path | None) -> None:
    ctx.obj = db_file or database.db_path()


@main.command(help="Byg catalogue.db: use-case-indeks og mock-tabeller (medlemmer og stemmer bevares).")
@click.option("--skala", "scale", type=click.FloatRange(min=0.01, max=1.0), default=None,
              help="Mock-data i skala (1 = hele landet, 0.1 = en tiendedel; standard: $KATALOG_SCALE eller 1).")
@click.option("--kohorte/--uden-kohorte", "cohort", default=False,
              help="Skriv også den syntetiske kohorte som persontabeller (til analyse og benchmark).")
@click.pass_obj
def build(db_file: Path, scale: float | None, cohort: bool) -> None:
    from katalog.build import build as run_build
    from katalog.mock.mockinfo import format_number

    try:
        report = run_build(db_file, progress=lambda message: click.echo(message, err=True), scale=scale,
                           cohort=cohort)
    except ValueError as error:  # a scale out of range, from --skala or $KATALOG_SCALE
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(f"Bygget {report.path} i skala {report.scale:g} på {report.seconds:.1f} s")
    for name, rows in report.tables.items():
        click.echo(f"  {name}: {format_number(rows)} rækker")
    click.echo(f"  {report.usecases} use-cases indekseret")
    if report.problems:
        click.echo(f"{len(report.problems)} problemer i indholdet; kør 'katalog validate'.", err=True)


@main.command(help="Revidér diskretioneringen: kan nogen, der har alle offentliggjorte tabeller, indsnævre et skjult "
                   "lille tal? Skriver JSON og afslutter med kode 1, hvis ja.")
@click.option("--skala", "scale", type=click.FloatRange(min=0.01, max=1.0), default=None,
              help="Mock-data i skala (standard: $KATALOG_SCALE eller 1, som 'katalog build').")
@click.option("--aar", "years", type=int, multiple=True, help="Kun disse år (standard: alle).")
@click.option("--tabel", "table_names", multiple=True,
              help="Kun disse tabeller og sammenkædningerne mellem dem (standard: alle).")
def audit(scale: float | None, years: tuple[int, ...], table_names: tuple[str, ...]) -> None:
    import json

    from katalog.build import AUDITED_FROM_SCALE
    from katalog.disclosure.audit import DisclosureError
    from katalog.disclosure.audit import audit as run_audit
    from katalog.disclosure.protected import protect
    from katalog.mock.mockdata import generate

    scale = database.mock_scale() if scale is None else scale
    mock = generate(database.mockdata_dir(), scale=scale)
    tables = [t if not years or "aar" not in t.frame else
              type(t)(t.name, t.title, t.declaration, t.frame[t.frame["aar"].isin(years)], t.indexes, t.level)
              for t in mock.tables]
    # The pattern 'katalog build' writes at this scale: from AUDITED_FROM_SCALE up the build audits it and hides
    # more where the audit narrows a count; below, the line rules alone decide it.
    audited = scale >= AUDITED_FROM_SCALE
    try:
        protection = protect(tables, audited=audited)
        report, repaired = protection.audit, protection.repaired
    except DisclosureError as error:
        protection, report, repaired = None, error.report, None
    if protection is not None and (report is None or table_names):
        cubes = {n: c for n, c in protection.cubes.items() if not table_names or n in table_names}
        links = [link for link in protection.links if link.a in cubes and link.b in cubes]
        report = run_audit(cubes, links)
    click.echo(json.dumps({"skala": scale, "år": list(years) or "alle", "revideret_ved_bygning": audited,
                           "ekstra_skjult_af_revisionen": repaired, **report.summary()}, ensure_ascii=False,
                          indent=2))
    if not report.passed:
        sys.exit(1)


@main.command(help="Tjek alle use-case-filer; skriv hvert problem og afslut med kode 1, hvis der er nogen.")
def validate() -> None:
    catalogue = load_catalogue(database.usecases_dir())
    for line in _problem_lines(catalogue.problems):
        click.echo(line)
    click.echo(f"{len(catalogue.items)} gyldige use-cases, {len(catalogue.problems)} problemer.", err=True)
    if catalogue.problems:
        sys.exit(1)


@main.command(help="Eksportér kataloget og det prioriterede overblik som PDF.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="PDF-filen der skal skrives.")
@click.option("--diagnose", "diagnoses", multiple=True, help="Kun use-cases med denne diagnose (kan gentages).")
@click.option("--runde", "round_id", type=int, default=None,
              help="Overblikket for denne runde (standard: den åbne eller seneste).")
@click.option("--kun-overblik", "overview_only", is_flag=True, help="Kun det prioriterede overblik, uden use-cases.")
@click.pass_obj
def export(db_file: Path, out: Path, diagnoses: tuple[str, ...], round_id: int | None, overview_only: bool) -> None:
    from katalog.content import filters
    from katalog.export import ExportError, render_pdf
    from katalog.review.reviews import caveats_by_usecase
    from katalog.voting import decisions as decision_store
    from katalog.voting.overview import overview_section

    if not db_file.exists():
        raise click.ClickException(f"{db_file} findes ikke; kør 'katalog build' først.")
    catalogue = load_catalogue(database.usecases_dir())
    spec = filters.FilterSpec(selected={"diagnose": diagnoses} if diagnoses else {})
    items = [] if overview_only else filters.apply(catalogue.items, spec)
    with database.opened(db_file) as db:
        voting_round = _round(db, round_id)
        titles = {item.id: item.title for item in (items or catalogue.items)}
        section = overview_section(db, voting_round, titles, only_titled=not overview_only)
        decisions = decision_store.current(db)
        caveats = caveats_by_usecase(db)
    description = f"Prioriteret overblik, {voting_round.title}" if overview_only and voting_round else spec.describe()
    try:
        pdf = render_pdf(items, db_file, section, description, decisions=decisions, caveats=caveats,
                         progress=lambda _share, message: click.echo(message, err=True))
    except ExportError as error:
        raise click.ClickException(str(error)) from error
    out.write_bytes(pdf)
    click.echo(f"{out}: {len(items)} use-cases, {len(pdf) // 1024} KB")
    if catalogue.problems:
        click.echo(f"{len(catalogue.problems)} use-case-filer har problemer og er ikke med; "
                   "kør 'katalog validate'.", err=True)


def _round(db, round_id: int | None):
    from katalog.voting.rounds import current_round, get_round

    if round_id is None:
        return current_round(db)
    found = get_round(db, round_id)
    if found is None:
        raise click.ClickException(f"Der er ingen runde {round_id}; se 'katalog round list'.")
    return found


_BASE_URL = click.option("--base-url", default=lambda: os.environ.get("KATALOG_BASE_URL", DEFAULT_BASE_URL),
                         show_default="$KATALOG_BASE_URL eller http://localhost:8501", help="Appens adresse.")


def _add(db_file: Path, name: str, org: str, sector: str, base_url: str, role: str) -> None:
    from katalog.voting.members import MemberError, add_member, invite_link

    with database.opened(db_file) as db:
        try:
            new, token = add_member(db, name, org, sector, role)
        except MemberError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"{new.label} er oprettet. Personligt link (vises kun denne gang):", err=True)
    click.echo(invite_link(base_url, token))


@main.group(help="Medlemmer af arbejdsgruppen og deres personlige links.")
def member() -> None:
    pass


@member.command("add", help="Opret et medlem og skriv vedkommendes personlige link (vises kun én gang).")
@click.argument("name")
@click.option("--org", required=True, help="Organisation, fx 'Region Midtjylland' eller 'PLO'.")
@click.option("--sector", required=True,
              help="Region, Danske Regioner, Kommune/KL, Almen praksis/PLO, Stat/SDS eller Andet.")
@_BASE_URL
@click.pass_obj
def member_add(db_file: Path, name: str, org: str, sector: str, base_url: str) -> None:
    _add(db_file, name, org, sector, base_url, "member")


@member.command("list", help="Vis medlemmerne (uden links: de gemmes kun som hash).")
@click.pass_obj
def member_list(db_file: Path) -> None:
    from katalog.voting.members import ROLES, list_members

    with database.opened(db_file) as db:
        for m in list_members(db, include_revoked=True):
            status = "tilbagekaldt" if m.revoked else "aktiv"
            click.echo(f"{m.id}\t{m.name}\t{m.organisation}\t{m.sector}\t{ROLES[m.role]}\t{status}")


@member.command("reissue", help="Udsted et nyt link til medlem nummer ID (det gamle holder op med at virke).")
@click.argument("member_id", type=int)
@_BASE_URL
@click.pass_obj
def member_reissue(db_file: Path, member_id: int, base_url: str) -> None:
    from katalog.voting.members import MemberError, invite_link, reissue

    with database.opened(db_file) as db:
        try:
            found, token = reissue(db, member_id)
        except MemberError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"Nyt link til {found.label}:", err=True)
    click.echo(invite_link(base_url, token))


@member.command("revoke", help="Tilbagekald linket for medlem nummer ID; afgivne stemmer tæller fortsat.")
@click.argument("member_id", type=int)
@click.pass_obj
def member_revoke(db_file: Path, member_id: int) -> None:
    from katalog.voting.members import MemberError, revoke

    with database.opened(db_file) as db:
        try:
            found = revoke(db, member_id)
        except MemberError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"Linket til {found.label} er tilbagekaldt.")


@main.group(help="Formænd (sekretariatet): opretter runder, lukker dem og registrerer beslutninger.")
def chair() -> None:
    pass


@chair.command("add", help="Opret en formand og skriv vedkommendes personlige formandslink (vises kun én gang).")
@click.argument("name")
@click.option("--org", default="Sundhedsdatastyrelsen", show_default=True, help="Organisation.")
@click.option("--sector", default="Stat/SDS", show_default=True, help="Sektor.")
@_BASE_URL
@click.pass_obj
def chair_add(db_file: Path, name: str, org: str, sector: str, base_url: str) -> None:
    _add(db_file, name, org, sector, base_url, "chair")


@main.group("round", help="Afstemningsrunder.")
def round_group() -> None:
    pass


@round_group.command("list", help="Vis runderne med status og antal stemmesedler.")
@click.pass_obj
def round_list(db_file: Path) -> None:
    from katalog.voting.ballots import ballot_count
    from katalog.voting.rounds import list_rounds

    with database.opened(db_file) as db:
        for r in list_rounds(db):
            click.echo(f"{r.id}\t{r.title}\t{r.status_label}\t{len(r.settings.usecases)} use-cases\t"
                       f"{ballot_count(db, r.id)} stemmesedler")


@main.command(help="Skriv det anonymiserede stemmeregnskab for en runde (JSON eller CSV efter filendelsen).")
@click.option("--runde", "round_id", type=int, default=None, help="Runden (standard: den åbne eller seneste).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Filen der skal skrives (.json eller .csv).")
@click.pass_obj
def ledger(db_file: Path, round_id: int | None, out: Path) -> None:
    import json

    from katalog.voting import ledger as ledger_store

    with database.opened(db_file) as db:
        voting_round = _round(db, round_id)
        if voting_round is None:
            raise click.ClickException("Der er ingen runder endnu.")
        if voting_round.is_open and voting_round.settings.hide_results:
            raise click.ClickException("Runden skjuler sine resultater, til den lukkes; stemmeregnskabet kan "
                                       "først skrives derefter.")
        data = ledger_store.ledger(db, voting_round)
    text = ledger_store.ledger_csv(data) if out.suffix.lower() == ".csv" else json.dumps(data, ensure_ascii=False,
                                                                                         indent=2)
    out.write_text(text, encoding="utf-8")
    click.echo(f"{out}: {len(data['stemmesedler'])} stemmesedler i runden «{voting_round.title}»")


@main.command(help="Genberegn og skriv alle tal i det prioriterede overblik ud fra et stemmeregnskab (JSON).")
@click.argument("ledger_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def recount(ledger_file: Path) -> None:
    from katalog.voting import ledger as ledger_store
    from katalog.voting.rounds import RoundSettings

    try:
        data = ledger_store.load(ledger_file.read_text(encoding="utf-8"))
        results = ledger_store.recount(data)
    except (ValueError, KeyError) as error:
        raise click.ClickException(f"{ledger_file} er ikke et gyldigt stemmeregnskab (JSON): {error}") from error
    settings = RoundSettings.model_validate(data["runde"]["indstillinger"])
    click.echo(f"Runde {data['runde']['id']}: {data['runde']['titel']}")
    for line in ledger_store.describe(results, settings):
        click.echo(line)


def front_matter_schema() -> dict:
    """The JSON Schema of a use-case file's front matter, from the pydantic models (body and path come from the
    file itself, not from the front matter)."""
    import json

    from katalog.content.models import UseCase

    schema = json.loads(json.dumps(UseCase.model_json_schema()))
    for name in ("body", "path"):
        schema["properties"].pop(name, None)
    schema["required"] = [name for name in schema.get("required", []) if name not in ("body", "path")]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "katalog-usecase-front-matter",
            **schema, "title": "Use-case (front matter)",
            "description": "YAML-hovedet i en use-case-fil i usecases/ (mellem to linjer med ---)."}


@main.command(help="Skriv JSON Schema for use-case-filernes front matter (til editorer, der tjekker undervejs).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Skriv skemaet til denne fil i stedet for til skærmen.")
def schema(out: Path | None) -> None:
    import json

    text = json.dumps(front_matter_schema(), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"{out}: JSON Schema for use-case-filernes front matter", err=True)


_DIAGNOSES = ["astma", "atrieflimren", "diabetes", "KOL", "hjertesvigt"]
_PLATFORMS = ["eSundhed", "ordiprax+", "analysemiljø"]
_SUBTASKS = ["1", "2a", "2b", "2c"]


@main.command(help="Opret et udkast til en ny use-case ud fra skabelonen (status 'udkast'); filen består "
                   "'katalog validate' og har en figur, der virker, som du retter til.")
@click.option("--titel", "title", required=True, help="Use-casens titel.")
@click.option("--diagnose", "diagnoses", multiple=True, required=True, type=click.Choice(_DIAGNOSES),
              help="En diagnose, use-casen handler om (kan gentages).")
@click.option("--delopgave", "subtask", type=click.Choice(_SUBTASKS), default="1", show_default=True,
              help="Arbejdsgruppens delopgave: 1, 2a (forløb), 2b (kvalitet) eller 2c (ressourcer).")
@click.option("--platform", type=click.Choice(_PLATFORMS), default="eSundhed", show_default=True,
              help="Hvor visningen skal vises.")
@click.option("--id", "usecase_id", default=None, help="Fx UC-07 (standard: det næste ledige nummer).")
@click.option("--mappe", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Mappen med use-case-filer (standard: $KATALOG_USECASES eller usecases/).")
def new(title: str, diagnoses: tuple[str, ...], subtask: str, platform: str, usecase_id: str | None,
        folder: Path | None) -> None:
    import re

    folder = folder or database.usecases_dir()
    taken = _taken_ids(folder)
    if usecase_id is None:
        usecase_id = f"UC-{max((int(t[3:]) for t in taken), default=0) + 1:02d}"
    if not re.fullmatch(r"UC-\d{2,3}", usecase_id):
        raise click.ClickException(f"'{usecase_id}' er ikke et gyldigt id; skriv UC og 2–3 cifre, fx UC-07.")
    if usecase_id in taken:
        raise click.ClickException(f"{usecase_id} bruges allerede i {folder}; vælg et andet id eller udelad --id.")
    path = folder / f"{usecase_id}-{_slug(title)}.md"
    if path.exists():
        raise click.ClickException(f"{path} findes allerede.")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(draft_usecase(usecase_id, title, list(dict.fromkeys(diagnoses)), subtask, platform),
                    encoding="utf-8")
    click.echo(str(path))
    click.echo("Udfyld teksterne (alt, der står i [firkantede parenteser]), ret figuren til, og kør "
               "'katalog validate'. Status er 'udkast', til arbejdsgruppen har drøftet den.", err=True)


def _taken_ids(folder: Path) -> set[str]:
    import re

    ids = {m.group(0) for p in folder.glob("*.md") if (m := re.match(r"UC-\d{2,3}", p.name))}
    if folder.exists():
        ids |= {item.id for item in load_catalogue(folder).items}
    return ids


def _slug(title: str) -> str:
    import re

    text = title.lower().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"}))
    slug = ""
    for word in re.findall(r"[a-z0-9]+", text):
        if slug and len(slug) + 1 + len(word) > 40:
            break
        slug = f"{slug}-{word}" if slug else word[:40]
    return slug or "ny"


def draft_usecase(usecase_id: str, title: str, diagnoses: list[str], subtask: str = "1",
                  platform: str = "eSundhed") -> str:
    """A new use-case file from the template: every field filled so that it validates, placeholders in
    [brackets], and one chart (patients per 1,000 by region) that runs on the mock tables."""
    import json

    def text(value: str) -> str:  # a JSON string is a YAML string, whatever it holds
        return json.dumps(value, ensure_ascii=False)

    return _TEMPLATE.format(id=usecase_id, title=text(title), diagnoses=", ".join(diagnoses), subtask=text(subtask),
                            platform=text(platform), default=diagnoses[0])


# The template `katalog new` fills in; its comments are the author guide in brief (README, "Author guide").
_TEMPLATE = """---
# Én use-case pr. fil. Felterne er på engelsk, alt andet på dansk. Ukendte felter er fejl.
id: {id}                      # UC- og 2–3 cifre; unikt i kataloget
title: {title}
summary: >-                   # en til to sætninger til kortet i kataloget
  [Hvad viser visningen, for hvem, og hvorfor er den nyttig?]
diagnoses: [{diagnoses}]      # astma, atrieflimren, diabetes, KOL, hjertesvigt
subtask: {subtask}                  # "1" første udstilling, "2a" forløb, "2b" kvalitet, "2c" ressourcer
aims: [Planlægning og styring]          # fra programmets fire formål
sectors: [Region, Kommune]              # Region, Kommune, Almen praksis, Stat
sources: [Almen praksis (nyt datagrundlag), CPR/befolkning]
platform: {platform}              # eSundhed, ordiprax+ eller analysemiljø
status: udkast                # udkast -> til drøftelse -> godkendt
declaration:                  # eSundheds syv overskrifter; Markdown i hver
  purpose: "[Formålet med opgørelsen, kort.]"
  content: "[Hvem og hvad tælles med, og hvordan afgrænses det?]"
  indicators: "[Hvordan beregnes hvert tal (tæller, nævner, enhed)?]"
  caveats: |-
    - **Tallene i denne mockup er syntetiske.**
    - [Hvad skal man vide for at læse tallene rigtigt?]
  source: "[Datakilder og tabeller; i mockuppen `ap_patienter`.]"
  publication: "[Hvor og hvor ofte skal det offentliggøres?]"
  terms: "[Ord og begreber, der skal forklares.]"
charts:                       # nul eller flere mockups
  - id: patienter_pr_region   # snake_case, unikt i use-casen
    title: Patienter pr. 1.000 indbyggere efter region
    alt: >-                   # én sætning om, hvad figuren viser (skærmlæsere, PDF)
      Vandret søjlediagram med én søjle pr. region og for hele landet, der viser patienter med den
      valgte diagnose pr. 1.000 indbyggere i det valgte år.
    sql: |-                   # én SELECT over mock-tabellerne; parametre som :navn; vælg totaler, læg ikke sammen
      SELECT region, patienter, befolkning,
             ROUND(1000.0 * patienter / NULLIF(befolkning, 0), 1) AS pr_1000_indbyggere
      FROM ap_patienter
      WHERE aar = :aar
        AND diagnose = :diagnose
        AND niveau IN ('Region', 'Hele landet')
        AND koen = 'Alle'
        AND aldersgruppe = 'Alle'
      ORDER BY region
    params:                   # de valg, et medlem kan lave; hver bundet til :name i SQL
      - name: diagnose
        label: Diagnose
        options: [{diagnoses}]
        default: {default}
      - name: aar
        label: År
        options_sql: SELECT DISTINCT aar FROM ap_patienter ORDER BY 1 DESC
        default: 2024
    counts: [patienter, befolkning]          # antal personer: 1–4 skjules
    derived:                                 # tal bygget på antal skjules med dem
      pr_1000_indbyggere: [patienter]
    dimensions: []                           # andre talkolonner, fx aar
    spec:                                    # Vega-Lite uden data; rækkerne sættes ind
      mark: {{type: bar, tooltip: true}}
      encoding:
        y: {{field: region, type: nominal, title: null, axis: {{labelLimit: 200}}}}
        x: {{field: pr_1000_indbyggere, type: quantitative, title: Patienter pr. 1.000 indbyggere}}
        tooltip:
          - {{field: region, type: nominal, title: Område}}
          - {{field: pr_1000_indbyggere, type: quantitative, title: Pr. 1.000 indbyggere, format: ",.1f"}}
          - {{field: patienter, type: quantitative, title: Patienter, format: ",.0f"}}
---

### Baggrund

[Hvorfor er visningen vigtig, og hvad kan man ikke se i dag?]

### Hvad visningen viser

[Hvad viser figuren, og hvilke valg kan man lave?]

### Spørgsmål til arbejdsgruppen

- [Genkender I billedet?]
- [Hvilket forbehold mangler?]
"""


if __name__ == "__main__":
    main()
