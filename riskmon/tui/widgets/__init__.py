"""Dashboard widgets: each shows part of an Assessment and computes nothing."""
