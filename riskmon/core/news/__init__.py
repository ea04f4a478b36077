"""News to draft events: trade-press text in Chinese or English in, proposed events out.

Pure: no I/O, no clock, no network, standard library and the core types only. The caller reads
the article and the lexicon files and passes the publication date.

    lexicon = merge_lexicons(lexicon_from_data(bundled_toml), lexicon_from_data(user_toml))
    drafts = extract(text, published=when, url=link, lang="zh", lexicon=lexicon)
    drafts = merge([*queued, *drafts])                 # two articles about one change: one draft
    found = match(drafts[0], catalog_events)           # an existing event to update, or None
    drafts[0].to_json(found)                           # the review queue's JSON
    drafts[0].to_toml()                                # an events.toml [[events]] table

The lexicon (riskmon/data/news.toml, extended by a user's news.toml) is TOML:

    [platforms.<id>]            aliases = [...], regions = [...] (where it exists; optional)
    [regions.<CODE or name>]    aliases = [...], codes = [...] (when the name is not a code; "*" = everywhere)
    [origin]                    before = [...], after = [...] (a region next to these is an origin:
                                "来自中国", "中国卖家", not where the change happens)
    [kinds.<kind>]              cues = [...], priority = n (optional; which kind wins in a sentence)
    [kinds.<kind>.context]      <other kind> = [...] (near these words a cue means the other kind)
    [[status]]                  status = "...", weight = n, cues = [...] (the heaviest cue wins)
    [negation]                  words = [...] (a status cue right after one is a rumour)
    [timezones.<name>]          offset = "+07:00", aliases = [...], dst = "us"|"eu"|"", regions = [...]
    [deadlines]                 actions = [...] ("export by" dates are deadlines)
    [routes]                    parcel = [...] (a duty change near these hits parcels)
    [change]                    increase = [...], decrease = [...] (the sign of a number)
    [noise]                     section_markers, line_prefixes, line_contains (what is not the article)

Every table is optional. Matching: CJK words match anywhere; a word beginning or ending with a
Latin letter or digit needs a non-letter (a CJK character counts) on that side, and matches with
a plural s/es in any case; an all-capital word of up to four letters (US, EU, WIB) matches in
capitals only; where two matches overlap the longest wins. A user's entry of the same name adds
its words to the bundled one, and a word the user gives a meaning loses any bundled meaning.
"""

from riskmon.core.news.draft import Draft, Evidence, event_mapping
from riskmon.core.news.extract import extract
from riskmon.core.news.kinds import compatible
from riskmon.core.news.lexicon import Lexicon, lexicon_from_data, merge_lexicons
from riskmon.core.news.match import Match, match, merge, same_change
from riskmon.core.news.text import clean

__all__ = [
    "Draft",
    "Evidence",
    "Lexicon",
    "Match",
    "clean",
    "compatible",
    "event_mapping",
    "extract",
    "lexicon_from_data",
    "match",
    "merge",
    "merge_lexicons",
    "same_change",
]
