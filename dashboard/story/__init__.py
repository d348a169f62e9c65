"""Stories: saved views of the pages, shared, presented and exported as one HTML file."""
