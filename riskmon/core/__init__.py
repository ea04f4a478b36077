"""The pure core: domain types and the risk model. No I/O, no clock, no environment, no
pydantic, no Textual; everything else feeds it or shows its result."""
