"""Small helpers every area uses: parsing and formatting, references, paged lists, stored documents, settings, health checks."""
