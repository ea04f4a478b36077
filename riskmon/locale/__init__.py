"""riskmon's message catalogs (gettext, built with Babel): riskmon.pot, and per language
<code>/LC_MESSAGES/riskmon.po with its compiled riskmon.mo. README, "Language"."""
