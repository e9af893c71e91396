"""Pages for everyone: the document, feedback, and the service's own information pages."""
