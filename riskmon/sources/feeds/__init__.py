"""Policy-event feeds: fetching, parsing, merging with the catalog."""
