"""What members read on every page, kept together so the wording can be reviewed in one place."""

APP_TITLE = "Use-case-katalog – nye data fra almen praksis"
SYNTHETIC = ("Tallene i figurerne er **syntetiske mock-data**, lavet til at vise visningernes form. "
             "De er ikke rigtige data fra almen praksis.")
NO_DATABASE = ("Databasen er ikke bygget endnu. Kør `make run` (eller `katalog build`) i projektmappen, "
               "og genindlæs siden.")
PROBLEMS_BANNER = "{n} use-case-filer har problemer og vises ikke. Se siden **Problemer**."
NEEDS_INVITE = ("Afstemningen kræver dit personlige link. Du får det af formanden (Sundhedsdatastyrelsen), "
                "der opretter det med `katalog member add`. Åbn linket, så kan du stemme her. "
                "Har du genindlæst siden, så åbn linket igen.")
INVITE_UNKNOWN = "Linket er ikke gyldigt (måske er det skrevet forkert af). Bed formanden om et nyt."
VOTE_INTRO = ("Giv hver use-case en score fra 1 (lav) til 5 (høj) for **værdi** og **gennemførlighed**. "
              "Vælg «–», hvis du ikke vil vurdere den. Du kan ændre din stemmeseddel, indtil runden lukkes.")
NOT_SCORED = "–"
ROUND_CLOSED = "Runden «{title}» er lukket. Din stemmeseddel kan ikke længere ændres."
PAGES = {
    "katalog": "Katalog",
    "usecase": "Use-case",
    "afstemning": "Afstemning",
    "prioritering": "Prioritering",
    "eksport": "Eksport",
    "problemer": "Problemer",
}
