"""Session ▸ Export: the dialog that asks the form and the file."""
