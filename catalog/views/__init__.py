"""Public catalog pages: per event and across events, product and producer pages."""
