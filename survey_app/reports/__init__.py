"""Reports: a round's answers as tables (per unit, agency, province), on screen, in Excel, CSV and ZIP."""
