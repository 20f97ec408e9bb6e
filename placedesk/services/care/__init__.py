"""Care: care history and SSDA903 imports, leaving-care status, milestones, the Coming up list and its calendar export."""
