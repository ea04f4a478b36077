"""The config files: schema, loading with located problems, comment-preserving edits."""
