"""The app's screens: dashboard, event detail, history, help."""
