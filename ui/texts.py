"""What members read on every page, kept together so the wording can be reviewed in one place."""

APP_TITLE = "Use-case-katalog – nye data fra almen praksis"
SYNTHETIC = ("Tallene i figurerne er **syntetiske mock-data**, lavet til at vise visningernes form. "
             "De er ikke rigtige data fra almen praksis.")
NO_DATABASE = ("Databasen er ikke bygget endnu. Kør `make run` (eller `katalog build`) i projektmappen, "
               "og genindlæs siden.")
PROBLEMS_BANNER = "{files} har problemer og vises ikke. Se siden **Problemer**."
NEEDS_INVITE = ("Afstemningen kræver, at du er logget ind med dit personlige link. Du får det af formanden "
                "(sekretariatet i Sundhedsdatastyrelsen). Når du har åbnet linket én gang, husker denne browser "
                "dig, indtil du logger ud.")
INVITE_UNKNOWN = ("Linket er ikke gyldigt: det er måske skrevet forkert af, eller formanden har udstedt et nyt. "
                  "Bed formanden om et nyt link.")
NOT_SIGNED_IN = "Ikke logget ind. Åbn dit personlige link for at stemme."
CHAIR_ONLY = ("Denne side er kun for formanden (sekretariatet). Er du formand, så åbn dit eget formandslink; "
              "er du medlem, finder du afstemningen under **Afstemning**.")
NO_ROUND = "Der er ingen afstemningsrunde endnu. Formanden opretter den på siden **Runder**."
NOT_SCORED = "–"
ROUND_CLOSED = "Runden «{title}» er lukket. Din stemmeseddel kan ikke længere ændres."
RESULTS_HIDDEN = ("Resultaterne af runden «{title}» er skjult, indtil runden lukkes. Det er besluttet, før runden "
                  "åbnede, så ingen påvirkes af de andres stemmer undervejs.")
CONFIDENTIAL = "fortroligt"
PAGES = {
    "katalog": "Katalog",
    "usecase": "Use-case",
    "afstemning": "Afstemning",
    "prioritering": "Prioriteret overblik",
    "runder": "Runder",
    "medlemmer": "Medlemmer",
    "beslutninger": "Beslutninger",
    "eksport": "Eksport",
    "mockdata": "Mock-data",
    "problemer": "Problemer",
}

# Mock-data page
MOCK_SYNTHETIC = ("Alle tal på denne side er **syntetiske mock-data**: de er dannet af en tilfældig, men "
                  "reproducerbar kohorte af opdigtede patienter, ikke af rigtige data fra almen praksis. "
                  "Her kan du se de tabeller, figurerne bygger på, og hvor tæt de syntetiske landstal ligger på "
                  "de offentliggjorte tal (eller skøn), de efterligner.")
MOCK_OUTDATED = ("Databasen er bygget med en ældre version af kataloget og mangler oplysningerne om mock-data. "
                 "Byg den igen med `katalog build` (eller `make run`) i projektmappen, og genindlæs siden. "
                 "Medlemmer og stemmer bevares.")
MOCK_SCALE_ALL = ("Databasen dækker **hele landet** (skala 1), bygget med frø {seed}. "
                  "Samme frø og skala giver de samme tal.")
MOCK_SCALE_PART = ("Databasen dækker **{scale}** (skala {factor}), bygget med frø {seed}: antal personer er "
                   "skaleret ned, og forlæggene for antal er skaleret tilsvarende. Samme frø og skala giver de "
                   "samme tal.")
MOCK_COHORT_IN = ("Bygningen har også den syntetiske **persondata-kohorte** ({n} tabeller). Den kan kun bruges "
                  "til analyse og benchmark: diagrammerne kan ikke læse den, og dens rækker vises aldrig i appen.")
MOCK_COHORT_OUT = ("Persondata-kohorten er ikke med i denne bygning; kun de aggregerede tabeller er skrevet. "
                   "Den tilføjes med `katalog build --kohorte` (til analyse og benchmark; den vises ikke i appen).")
MOCK_LEVELS = {
    "aggregat": "Aggregeret (kan bruges i diagrammer)",
    "person": "Persondata (kun til analyse; vises ikke)",
}
MOCK_COLUMN_TYPES = {"INTEGER": "heltal", "REAL": "decimaltal", "TEXT": "tekst"}
MOCK_TABLES_CAPTION = ("Tabellerne i databasen. Her vises deklaration, kolonner og landstal, aldrig tabellernes "
                       "rækker; tallene i figurerne kommer fra de aggregerede tabeller, hvor antal på 1–4 skjules.")
MOCK_COMPARE_CAPTION = ("Hvert landstal står ved siden af forlægget, det efterligner. «Afvigelse» er den relative "
                        "forskel, (genereret − forlæg) / forlæg; tal, der afviger mere end ±10 %, er markeret. Hvor "
                        "kilden siger «estimat» eller «skøn», er forlægget et skøn og ikke et offentliggjort tal.")
MOCK_NO_FIGURES = "Der er ikke lagt landstal med forlæg ind for denne tabel."
MOCK_NO_FIGURES_PERSON = ("Kohortens tabeller har ingen egne landstal: de aggregerede tabeller er talt op fra "
                          "kohorten, og deres landstal står ved siden af forlæggene.")
MOCK_OUTSIDE = "{n} af {total} landstal afviger mere end ±10 % fra forlægget: {measures}."
MOCK_ALL_INSIDE = "Alle {total} landstal ligger inden for ±10 % af forlægget."


# Use-case page
USECASE_PICKER = "Use-case"
USECASE_NONE = "Kataloget har ingen gyldige use-cases. Se siden **Problemer**."
USECASE_UNKNOWN = "Use-casen «{wanted}» findes ikke (eller har problemer). Vælg en anden herunder."
USECASE_SYNTHETIC = ("Tallene i figurerne er **syntetiske mock-data**, lavet til at vise visningernes form; de er "
                     "ikke rigtige data fra almen praksis. Dine valg står i adressen, så et link viser en kollega det "
                     "samme.")
USECASE_ABOUT = "Om use-casen"
USECASE_PDF_MAKE = "Lav PDF"
USECASE_PDF_HELP = "PDF af denne use-case med figurerne, som du har indstillet dem, til at sende eller lægge i en sag."
USECASE_PDF_GET = "Hent PDF"
USECASE_PDF_BUSY = "Laver PDF …"
USECASE_PDF_VIEWS = "figurerne som valgt på siden"
CHART_FAILED = "Figuren kunne ikke vises: {error}"
CHART_SHOW_TABLE = "Vis data som tabel"
CHART_CSV = "Hent tabellen som CSV"

OPEN_USECASE = "Åbn use-case og mockup"

# Streamlit's own interface (menus, buttons, screen-reader labels) exists only in English; these are put in Danish in
# the browser (ui.render.browser_scripts). Exact texts, and patterns for texts with a value in them.
STREAMLIT_DANISH = {
    "Open": "Åbn",
    "Close": "Luk",
    "App pages": "Sider",
    "Sidebar": "Sidepanel",
    "Collapse sidebar": "Skjul sidepanelet",
    "Expand sidebar": "Vis sidepanelet",
    "Navigate to home page": "Gå til forsiden",
    "Main menu": "Menu",
    "Notifications": "Beskeder",
    "Link to heading": "Link til overskriften",
    "Choose an option": "Vælg",
    "Choose options": "Vælg",
    "Select all": "Vælg alle",
    "No results": "Ingen resultater",
    "Clear all": "Ryd alle",
    "Clear value": "Ryd",
    "Selected values": "Valgte",
    "Running...": "Arbejder …",
    "Stop script": "Stop",
    "Please wait...": "Vent et øjeblik …",
    "Connecting": "Forbinder",
    "Page not found": "Siden findes ikke",
    "Show data": "Vis data",
    "Show chart": "Vis figur",
    "Download as PNG": "Hent som PNG",
    "Copy Vega-Lite spec": "Kopiér Vega-Lite-specifikationen",
    "Copied!": "Kopieret",
    "Fullscreen": "Fuld skærm",
    "Close fullscreen": "Luk fuld skærm",
    "Download as CSV": "Hent som CSV",
    "Search": "Søg",
    "Skip to main content": "Gå til hovedindholdet",
    "Remove": "Fjern",
}
STREAMLIT_DANISH_PATTERNS = [
    (r"^Remove (.+)$", "Fjern $1"),
    (r"^Select (\d+) matches$", "Vælg de $1 fund"),
    (r"^You have requested page /(.*), but no corresponding file was found in the app's pages/ directory\. "
     r"Running the app's main page\.$", "Siden «/$1» findes ikke. Forsiden vises i stedet."),
    (r"^The page that you have requested does not seem to exist\. Running the app's main page\.$",
     "Siden findes ikke. Forsiden vises i stedet."),
]


def antal(n: int, one: str, many: str) -> str:
    """«1 vurdering», «3 vurderinger»: a count with the noun in the number Danish wants."""
    return f"{n} {one if n == 1 else many}"
