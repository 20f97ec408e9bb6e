"""Documents PlaceDesk prints: reportlab PDFs and their pyHanko signatures (no Qt here)."""
