"""The sandbox and the chair's proposals page: their session-state keys, texts, cached reads and widgets.

Kept in one module because ui/state.py and ui/texts.py belong to the whole app; the keys and wording here can
move there when the pages settle.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import streamlit as st

from katalog import db as database
from katalog.charts import ChartError, bind
from katalog.charts import sandbox_builder as sb
from katalog.content.models import DECLARATION_HEADINGS, SUBTASK_LABELS, Aim, Diagnosis, Platform, Sector, Source
from katalog.mock.mockinfo import MockInfoError
from katalog.review import proposals
from katalog.voting.members import Member
from ui import cached, render

# --- session-state keys -------------------------------------------------------------------------------------

TABLE = "sandkasse.table"
MODE = "sandkasse.mode"
SQL = "sandkasse.sql"
LAST_PROPOSAL = "sandkasse.last_proposal"  # id of the proposal made in this session, for its download
PROPOSAL_ERROR = "sandkasse.proposal_error"
DECIDED = "forslag.decided"  # (proposal id, Danish message) after the chair's click
DECISION_ERROR = "forslag.error"


def widget(table: str, part: str) -> str:
    """A builder widget's key; per table, so each table keeps its own choices."""
    return f"sandkasse.{table}.{part}"


def sql_param(name: str) -> str:
    return f"sandkasse.sql.param.{name}"


# --- texts ---------------------------------------------------------------------------------------------------

WIDGETS, TYPED = "Byg med valg", "Skriv SQL"
INTRO = ("Her kan du selv udforske de **syntetiske mock-data**, som figurerne bygger på: vælg en tabel, hvad der "
         "skal vises, og hvad det skal opdeles efter – eller skriv din egen SQL. Små antal er skjult («skjult») "
         "præcis som i figurerne, og intet, du gør her, ændrer data.")
CUBE_NOTE = ("Hver række er én celle i tabellens kube: det, du ikke opdeler efter, holdes fast – på tabellens egen "
             "totalrække («Alle», «Hele landet»), hvor den har én – så intet lægges sammen, og intet skjult tal "
             "falder ud af en sum.")
MERGE_NOTE = ("Tabellen har ingen totalrække for det, der ikke er opdelt efter, så rækkerne lægges sammen. Er blot "
              "én af dem skjult, er resultatet skjult – det er aldrig en sum af de viste tal alene.")
SQL_RULES = ("SQL'en kører på samme sikre, skrivebeskyttede forbindelse som figurerne: kun `SELECT` over de "
             "aggregerede mock-tabeller, højst 1 s og 20.000 rækker, og skjulte antal er `NULL` og vises som "
             "«skjult». Læg ikke rækker sammen med `SUM`: en sum springer skjulte tal over. Vælg i stedet tabellens "
             "totalrækker (`koen = 'Alle'`, `niveau = 'Hele landet'`). Parametre skrives som `:navn`.")
NO_CHART = "Der er ingen figur for så mange rækker (eller ingen rækker); se tabellen herunder."
SIGN_IN_TO_PROPOSE = ("Du kan udforske uden at være logget ind. For at foreslå visningen som use-case skal du åbne "
                      "dit personlige link fra formanden.")
PROPOSE_HELP = ("Visningen bliver til en use-case-fil med status «forslag»: figurens SQL og spec, dine tekster og en "
                "deklaration under de syv overskrifter, udfyldt fra mock-tabellens egen deklaration. Det, du selv "
                "skal skrive færdigt, er mærket **Udfyld:**. Formanden ser forslaget på siden **Forslag**.")
MEMBER_SECTORS = {"Region": "Region", "Danske Regioner": "Region", "Kommune/KL": "Kommune",
                  "Almen praksis/PLO": "Almen praksis", "Stat/SDS": "Stat"}


def _choices_of(literal) -> list[str]:
    return list(literal.__args__)


# --- cached reads -----------------------------------------------------------------------------------------------


def _db_stamp() -> tuple:
    return cached.data_version(database.db_path())  # a rebuild, not a vote, makes new results


@st.cache_data(show_spinner=False, max_entries=4)
def _tables(db_file: str, stamp: tuple) -> list[sb.Table]:
    return sb.tables(Path(db_file))


def tables_or_stop() -> list[sb.Table]:
    try:
        found = _tables(str(database.db_path()), _db_stamp())
    except MockInfoError:
        found = []
    if not found:
        st.error("Databasen har ingen mock-tabeller endnu. Byg den med `katalog build` (eller `make run`).")
        st.stop()
    return found


@st.cache_data(show_spinner=False, max_entries=512)
def _choices(db_file: str, stamp: tuple, table: str, key: str, within) -> list:
    return sb.choices(Path(db_file), sb.table(Path(db_file), table), key, within)


def choices(table: sb.Table, key: str, within=None) -> list:
    return _choices(str(database.db_path()), _db_stamp(), table.name, key, within)


@st.cache_data(show_spinner=False, max_entries=128)
def _explored(db_file: str, stamp: tuple, table: str, view_json: str, plotted: str | None) -> sb.Exploration:
    fields = json.loads(view_json)
    view = sb.View(**{**fields, "breakdown": tuple(fields["breakdown"]), "measures": tuple(fields["measures"]),
                      "regions": tuple(fields["regions"])})
    query = sb.build_query(sb.table(Path(db_file), table), view)
    return sb.explore(Path(db_file), query, plotted)


@st.cache_data(show_spinner=False, max_entries=64)
def _explored_sql(db_file: str, stamp: tuple, sql: str, values_json: str, plotted: str | None) -> sb.Exploration:
    return sb.explore_sql(Path(db_file), sql, json.loads(values_json), plotted)


# --- the page's parts -------------------------------------------------------------------------------------------


def keep_choices(tables: list[sb.Table]) -> None:
    """Keep the builder's and the SQL box's values while their widgets are not shown (the other mode, another
    table): Streamlit forgets a widget's value when a run does not draw it, unless the value is set again."""
    prefixes = (*(widget(t.name, "") for t in tables), sql_param(""), "sandkasse.sql.plotted")
    for key in list(st.session_state.keys()):
        if key == SQL or (isinstance(key, str) and key.startswith(prefixes)):
            st.session_state[key] = st.session_state[key]


def table_picker(tables: list[sb.Table]) -> sb.Table:
    names = [t.name for t in tables]
    if st.session_state.get(TABLE) not in names:
        st.session_state[TABLE] = "ap_patienter" if "ap_patienter" in names else names[0]
    titles = {t.name: f"{t.title} ({t.name})" for t in tables}
    name = st.selectbox("Mock-tabel", names, format_func=titles.get, key=TABLE)
    table = next(t for t in tables if t.name == name)
    with st.expander("Om tabellen: deklaration og kolonner"):
        st.markdown(render.plain(table.declaration))
        st.caption("Kolonner: " + ", ".join(f"`{c}`" for c in table.columns))
    return table


def mode_picker() -> str:
    if st.session_state.get(MODE) not in (WIDGETS, TYPED):
        st.session_state[MODE] = WIDGETS
    return st.radio("Sådan vil jeg udforske", [WIDGETS, TYPED], horizontal=True, key=MODE,
                    label_visibility="collapsed")


def _keep_valid(key: str, options: list, multi: bool = False) -> None:
    """Drop a remembered choice that is no longer among the options (another table, year or diagnosis)."""
    if key not in st.session_state:
        return
    value = st.session_state[key]
    if multi:
        kept = [v for v in value if v in options]
        if kept != value:
            st.session_state[key] = kept
    elif value not in options:
        del st.session_state[key]


def widget_builder(table: sb.Table) -> sb.Exploration | None:
    """The widgets: what to show, what to break down by, and the value every other dimension is held at."""
    left, right = st.columns(2)
    measures = _measures_picker(table, left)
    breakdown = _breakdown_picker(table, right)
    level, regions, only = _breakdown_limits(table, breakdown)
    held, area = _held_pickers(table, breakdown)
    aggregate = _aggregate_picker(table)
    if not measures:
        st.info("Vælg mindst én værdi under **Vis**.")
        return None
    view = sb.View(table.name, measures=tuple(measures), breakdown=tuple(breakdown), held=held, only=only,
                   level=level, area=area, regions=regions, aggregate=aggregate)
    plotted = st.session_state.get(widget(table.name, "plotted"))
    try:
        return _explored(str(database.db_path()), _db_stamp(), table.name,
                         json.dumps(dataclasses.asdict(view), ensure_ascii=False, default=str), plotted)
    except sb.BuilderError as error:
        st.error(str(error), icon=":material/error:")
        return None


def _measures_picker(table: sb.Table, column) -> list[str]:
    """«Vis»: the measures to show (at first the table's first ratio, else its first measure)."""
    cube = table.cube
    measure_keys = list(cube.measure_keys)
    key = widget(table.name, "measures")
    _keep_valid(key, measure_keys, multi=True)
    if key not in st.session_state:
        st.session_state[key] = [cube.ratios[0].key] if cube.ratios else measure_keys[:1]
    return column.multiselect("Vis", measure_keys, format_func=cube.label, key=key,
                              help="Andele og rater vises sammen med de antal, de er regnet af.")


def _breakdown_picker(table: sb.Table, column) -> list[str]:
    """«Opdel efter»: the dimensions to break down by (at first the geography, else the first dimension)."""
    cube = table.cube
    dimension_keys = ([sb.GEOGRAPHY] if cube.geography else []) + [d.column for d in cube.dimensions]
    key = widget(table.name, "breakdown")
    _keep_valid(key, dimension_keys, multi=True)
    if key not in st.session_state:
        st.session_state[key] = [sb.GEOGRAPHY] if cube.geography else dimension_keys[:1]
    return column.multiselect("Opdel efter", dimension_keys, format_func=cube.label, key=key,
                              help="Den første bliver figurens akse; den næste farve eller serie.")


def _breakdown_limits(table: sb.Table, breakdown: list[str]) -> tuple[str | None, tuple, dict]:
    """Per broken-down dimension, what to keep: the geography's level and regions, else only some values."""
    level, regions, only = None, (), {}
    if not breakdown:
        return level, regions, only
    cube = table.cube
    columns = st.columns(min(len(breakdown) + (1 if sb.GEOGRAPHY in breakdown else 0), 4))
    slot = 0
    for dim in breakdown:
        if dim == sb.GEOGRAPHY:
            level, regions, slot = _level_and_regions(table, columns, slot)
            continue
        dimension = cube.dimension(dim)
        options = [v for v in choices(table, dim) if v != dimension.total]
        key = widget(table.name, f"only.{dim}")
        _keep_valid(key, options, multi=True)
        chosen = columns[slot % len(columns)].multiselect(f"Kun disse: {dimension.label.lower()}", options,
                                                          key=key, placeholder="Alle")
        slot += 1
        if chosen:
            only[dim] = chosen
    return level, regions, only


def _level_and_regions(table: sb.Table, columns: list, slot: int) -> tuple[str, tuple, int]:
    """The geography broken down: its level and (below the country) only some regions; the next free slot."""
    geography = table.cube.geography
    levels = [lv.name for lv in geography.levels]
    key = widget(table.name, "level")
    _keep_valid(key, levels)
    if key not in st.session_state:
        st.session_state[key] = geography.region_level.name
    labels = {lv.name: lv.label for lv in geography.levels}
    level = columns[slot % len(columns)].selectbox("Område: niveau", levels, format_func=labels.get, key=key)
    slot += 1
    regions = ()
    if geography.level(level).columns:
        region_options = choices(table, sb.GEOGRAPHY)
        key = widget(table.name, "regions")
        _keep_valid(key, region_options, multi=True)
        regions = tuple(columns[slot % len(columns)].multiselect(
            "Kun regionerne", region_options, key=key, placeholder="Alle regioner"))
        slot += 1
    return level, regions, slot


def _held_pickers(table: sb.Table, breakdown: list[str]) -> tuple[dict, str]:
    """«Holdt fast»: the area and the value of every dimension not broken down (additive ones may be summed)."""
    cube, geography = table.cube, table.cube.geography
    held, area = {}, sb.COUNTRY
    held_dimensions = [d for d in cube.dimensions if d.column not in breakdown]
    if not (held_dimensions or (geography and sb.GEOGRAPHY not in breakdown)):
        return held, area
    st.caption("**Holdt fast** – det, du ikke opdeler efter:")
    columns = st.columns(4)
    slot = 0
    if geography and sb.GEOGRAPHY not in breakdown:
        options = [sb.COUNTRY, *choices(table, sb.GEOGRAPHY)]
        key = widget(table.name, "area")
        _keep_valid(key, options)
        area = columns[slot % 4].selectbox("Område", options, key=key)
        slot += 1
    for dimension in held_dimensions:
        within = held.get(dimension.within) if dimension.within else None
        options = choices(table, dimension.column, within)
        if dimension.additive and dimension.total is None:
            options = [sb.SUM, *options]
        key = widget(table.name, f"held.{dimension.column}")
        _keep_valid(key, options)
        held[dimension.column] = columns[slot % 4].selectbox(
            dimension.label, options, key=key,
            format_func=lambda v: "Alle (lagt sammen)" if v is sb.SUM else str(v))
        slot += 1
    return held, area


def _aggregate_picker(table: sb.Table) -> str:
    """How rows are combined, where the table has no total row to hold at (else a sum)."""
    cube, geography = table.cube, table.cube.geography
    if any(d.additive and d.total is None for d in cube.dimensions) or (geography and not geography.level_column):
        return st.selectbox("Når rækker lægges sammen", list(sb.AGGREGATES),
                            format_func=lambda a: sb.AGGREGATES[a][1], key=widget(table.name, "aggregate"),
                            help="Er én af rækkerne skjult, er resultatet skjult.")
    return "sum"


def _open_in_sql_box(sql: str, values: dict) -> None:
    st.session_state[SQL] = sql
    for name, value in values.items():
        st.session_state[sql_param(name)] = str(value)
    st.session_state[MODE] = TYPED


def sql_box(table: sb.Table) -> sb.Exploration | None:
    """The SQL box: any SELECT over the mock tables, on the same sandbox and with the same suppression."""
    if not st.session_state.get(SQL):
        st.session_state[SQL] = f"SELECT *\nFROM {table.name}\nLIMIT 100"
    st.caption(SQL_RULES)
    with st.container(key="sandkasse-sqlbox"):
        # SQL reads best in a monospace font; the style only reaches this one text area.
        st.html("<style>.st-key-sandkasse-sqlbox textarea {font-family: 'DejaVu Sans Mono', monospace; "
                "font-size: 0.85rem}</style>")
        sql = st.text_area("SQL", key=SQL, height=240)
    names = sorted(sb.sql_parameter_names(sql))
    values = {}
    if names:
        st.caption("**Parametre**")
        columns = st.columns(min(len(names), 4))
        for index, name in enumerate(names):
            text = columns[index % len(columns)].text_input(f":{name}", key=sql_param(name))
            if text != "":
                values[name] = sb.typed_value(text)
    st.button("Kør forespørgslen", icon=":material/play_arrow:", key="sandkasse.run")
    plotted = st.session_state.get("sandkasse.sql.plotted")
    try:
        return _explored_sql(str(database.db_path()), _db_stamp(), sql, json.dumps(values, ensure_ascii=False),
                             plotted)
    except sb.BuilderError as error:
        st.error(str(error), icon=":material/error:")
        return None


def result(exploration: sb.Exploration, table: sb.Table, typed: bool) -> None:
    """The chart, what was hidden, the rows as a table and a CSV, and the SQL behind them."""
    bound, labels = exploration.bound, exploration.labels
    drawable = list(bound.chart.counts) + list(bound.chart.derived)
    st.markdown(f"**{render.plain(exploration.chart.title)}**")
    if len(drawable) > 1:
        key = "sandkasse.sql.plotted" if typed else widget(table.name, "plotted")
        _keep_valid(key, drawable)
        if key not in st.session_state and exploration.plotted in drawable:
            st.session_state[key] = exploration.plotted
        st.columns([1, 1])[0].selectbox("Figuren viser", drawable, format_func=lambda c: labels.get(c, c), key=key)
    if exploration.drawn:
        st.vega_lite_chart(bound.spec, theme=None, width="stretch")
    else:
        st.caption(NO_CHART)
    if bound.suppression_note:
        st.caption(bound.suppression_note)
    rows = len(bound.rows.data)
    note = "" if typed or exploration.query is None else (MERGE_NOTE if exploration.query.merges else CUBE_NOTE)
    st.caption(f"{rows} {'række' if rows == 1 else 'rækker'}. {note}")
    shown = bound.table
    config = {c: st.column_config.TextColumn(labels.get(c, c)) for c in shown.columns}
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
    st.download_button("Hent tabellen som CSV", data=bound.csv(), file_name=f"sandkasse-{table.name}.csv",
                       mime="text/csv", icon=":material/download:", key="sandkasse.csv")
    if not typed:
        with st.expander("SQL for denne visning", icon=":material/code:"):
            st.code(exploration.sql, language="sql")
            if exploration.values:
                st.caption("Bundne parametre: " + " · ".join(
                    f"`:{name}` = «{render.plain(str(value))}»" for name, value in exploration.values.items()))
            st.button("Åbn i SQL-feltet", icon=":material/edit:", key="sandkasse.to_sql", on_click=_open_in_sql_box,
                      args=(exploration.sql, exploration.values))


# --- proposing --------------------------------------------------------------------------------------------------


def _submit(exploration: sb.Exploration, table: sb.Table, member: Member) -> None:
    state = st.session_state
    if exploration.query is None and exploration.tables_read and table.name not in exploration.tables_read:
        # Typed SQL: the declaration describes the table the query reads, not the one the picker shows.
        read = [t for t in tables_or_stop() if t.name in exploration.tables_read]
        table = read[0] if read else table
    chart = sb.usecase_chart(exploration, title=state["sandkasse.propose.chart_title"].strip()
                             or exploration.chart.title)
    if not state["sandkasse.propose.title"].strip() or not state["sandkasse.propose.summary"].strip():
        state[PROPOSAL_ERROR] = "Giv forslaget en titel og et kort resumé."
        return
    draft = proposals.Draft(
        title=state["sandkasse.propose.title"], summary=state["sandkasse.propose.summary"],
        subtask=state["sandkasse.propose.subtask"], diagnoses=state["sandkasse.propose.diagnoses"],
        platform=state["sandkasse.propose.platform"], aims=state["sandkasse.propose.aims"],
        sectors=state["sandkasse.propose.sectors"], sources=state["sandkasse.propose.sources"], chart=chart,
        table=table.name, table_title=table.title, table_declaration=table.declaration,
        view_text=sb.view_text(exploration), indicators=sb.indicator_lines(exploration),
        hidden_text=sb.hidden_text(exploration))
    missing = [label for label, value in (("diagnoser", draft.diagnoses), ("formål", draft.aims),
                                          ("sektorer", draft.sectors), ("datakilder", draft.sources)) if not value]
    if missing:
        state[PROPOSAL_ERROR] = f"Vælg mindst én af hver: {', '.join(missing)}."
        return
    try:
        with database.opened() as db:
            proposal = proposals.submit(db, database.usecases_dir(), member, draft)
    except proposals.ProposalError as error:
        state[PROPOSAL_ERROR] = str(error)
        return
    state[LAST_PROPOSAL] = proposal.id
    state.pop(PROPOSAL_ERROR, None)


def propose(exploration: sb.Exploration | None, table: sb.Table, member: Member | None) -> None:
    st.subheader("Foreslå som use-case")
    if member is None:
        st.info(SIGN_IN_TO_PROPOSE, icon=":material/key:")
        return
    if exploration is None:
        st.caption("Byg en visning (eller skriv en forespørgsel, der virker) først.")
        return
    st.caption(PROPOSE_HELP)
    held_diagnosis = exploration.query.values.get("diagnose") if exploration.query else None
    diagnoses = _choices_of(Diagnosis)
    with st.form("sandkasse.propose", border=True):
        st.text_input("Titel", key="sandkasse.propose.title", max_chars=120,
                      placeholder="Fx Andel af KOL-patienter med spirometri pr. region")
        st.text_area("Kort resumé (til kortet i kataloget)", key="sandkasse.propose.summary", height=90,
                     max_chars=600)
        st.text_input("Figurens titel", key="sandkasse.propose.chart_title", placeholder=exploration.chart.title,
                      max_chars=120, help="Tom: figurens titel i sandkassen.")
        left, middle, right = st.columns(3)
        left.selectbox("Delopgave", list(SUBTASK_LABELS), format_func=SUBTASK_LABELS.get,
                       key="sandkasse.propose.subtask")
        middle.selectbox("Platform", _choices_of(Platform), key="sandkasse.propose.platform")
        right.multiselect("Diagnoser", diagnoses, key="sandkasse.propose.diagnoses",
                          default=[held_diagnosis] if held_diagnosis in diagnoses else diagnoses)
        left.multiselect("Formål", _choices_of(Aim), key="sandkasse.propose.aims",
                         default=_choices_of(Aim)[:1])
        sector = MEMBER_SECTORS.get(member.sector)
        middle.multiselect("Hvem har gavn af det", _choices_of(Sector), key="sandkasse.propose.sectors",
                           default=[sector] if sector else _choices_of(Sector)[:1])
        right.multiselect("Datakilder", _choices_of(Source), key="sandkasse.propose.sources",
                          default=[s for s in table.cube.sources if s in _choices_of(Source)])
        st.form_submit_button("Foreslå som use-case", icon=":material/lightbulb:", type="primary",
                              on_click=_submit, args=(exploration, table, member))
    if error := st.session_state.pop(PROPOSAL_ERROR, None):
        st.error(error, icon=":material/error:")
    if (proposal_id := st.session_state.get(LAST_PROPOSAL)) is not None:
        with database.opened() as db:
            proposal = proposals.get(db, proposal_id)
        st.success(f"Dit forslag **{proposal.usecase_id} · {render.plain(proposal.title)}** er gemt og venter på "
                   "formanden. Hent filen og skriv de steder færdige, der er mærket «Udfyld».",
                   icon=":material/check_circle:")
        download(proposal, "sandkasse.last_download")


def download(proposal: proposals.Proposal, key: str) -> None:
    name = proposal.file or f"{proposal.usecase_id}.md"
    st.download_button("Hent filen (.md)", data=proposal.markdown.encode("utf-8"), file_name=name,
                       mime="text/markdown", icon=":material/download:", key=key, help=name)


def my_proposals(member: Member | None) -> None:
    if member is None:
        return
    with database.opened() as db:
        mine = proposals.mine(db, member.id)
    if not mine:
        return
    st.subheader("Dine forslag")
    for proposal in mine:
        with st.container(border=True, key=f"mine-{proposal.id}"):
            left, right = st.columns([3, 1])
            left.markdown(f"**{proposal.usecase_id} · {render.plain(proposal.title)}**  \n"
                          f"Foreslået {proposal.date} · {_status_badge(proposal)}")
            with right:
                download(proposal, f"sandkasse.mine.{proposal.id}")


def _status_badge(proposal: proposals.Proposal) -> str:
    color = {"forslag": "orange", "accepteret": "green", "afvist": "gray"}.get(proposal.status, "gray")
    decided = f" ({proposal.decided_at[:10]})" if proposal.decided_at else ""
    return f":{color}-badge[{proposal.status_label}{decided}]"


# --- the chair's page -------------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _preview(markdown_hash: str, markdown: str, usecase_id: str, db_file: str, stamp: tuple):
    """The proposal as the catalogue would read it, and its first chart bound (or the reason it cannot be)."""
    item = proposals.check(markdown, usecase_id)
    charts = []
    for chart in item.charts:
        try:
            charts.append((chart, bind(chart, {}, Path(db_file)), None))
        except ChartError as error:
            charts.append((chart, None, str(error)))
    return item, charts


def _decide(proposal_id: int, chair: Member, accept: bool) -> None:
    try:
        with database.opened() as db:
            if accept:
                path = proposals.accept(db, proposal_id, chair, database.usecases_dir())
                message = f"Forslaget er accepteret og skrevet til {path.name}; det står nu i kataloget."
            else:
                proposals.reject(db, proposal_id, chair)
                message = "Forslaget er afvist."
        st.session_state[DECIDED] = (proposal_id, message)
    except proposals.ProposalError as error:
        st.session_state[DECISION_ERROR] = (proposal_id, str(error))


def proposal_card(proposal: proposals.Proposal, chair: Member) -> None:
    with st.container(border=True, key=f"proposal-{proposal.id}"):
        st.markdown(f"**{proposal.usecase_id} · {render.plain(proposal.title)}**  \n"
                    f"Foreslået af **{render.plain(proposal.proposer)}** den {proposal.date} · "
                    f"{_status_badge(proposal)}"
                    + (f" · af {render.plain(proposal.decided_by)}" if proposal.decided_by else ""))
        if proposal.status == "forslag":
            left, middle, right = st.columns([2, 1, 2])
            left.button("Acceptér og skriv filen", key=f"accept-{proposal.id}", type="primary",
                        icon=":material/check:", on_click=_decide, args=(proposal.id, chair, True))
            middle.button("Afvis", key=f"reject-{proposal.id}", icon=":material/close:", on_click=_decide,
                          args=(proposal.id, chair, False))
            with right:
                download(proposal, f"forslag.download.{proposal.id}")
        else:
            download(proposal, f"forslag.download.{proposal.id}")
        decided = st.session_state.get(DECIDED)
        if decided and decided[0] == proposal.id:
            st.success(decided[1], icon=":material/check_circle:")
        failed = st.session_state.get(DECISION_ERROR)
        if failed and failed[0] == proposal.id:
            st.error(failed[1], icon=":material/error:")
        with st.expander("Vis forslaget", icon=":material/visibility:"):
            _preview_body(proposal)


def _preview_body(proposal: proposals.Proposal) -> None:
    digest = hashlib.sha256(proposal.markdown.encode("utf-8")).hexdigest()
    try:
        item, charts = _preview(digest, proposal.markdown, proposal.usecase_id, str(database.db_path()), _db_stamp())
    except proposals.ProposalError as error:
        st.error(str(error), icon=":material/error:")
        st.code(proposal.markdown, language="markdown")
        return
    shown, source = st.tabs(["Som i kataloget", "Filen"])
    with shown:
        st.caption(render.facts_line(item))
        st.markdown(f"**{render.plain(item.summary)}**")
        for chart, bound, error in charts:
            st.markdown(f"**{render.plain(chart.title)}**")
            if bound is None:
                st.error(f"Figuren kan ikke vises: {error}")
                continue
            st.vega_lite_chart(bound.spec, theme=None, width="stretch")
            if bound.suppression_note:
                st.caption(bound.suppression_note)
        st.markdown("**Deklaration**")
        for key, heading in DECLARATION_HEADINGS.items():
            st.markdown(f"*{heading}*")
            st.markdown(getattr(item.declaration, key))
    with source:
        st.code(proposal.markdown, language="yaml")

