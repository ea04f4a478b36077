"""Keep data: the history file, its locking and its retention."""
