"""System oversight pages: the audit trail (scoped, filterable, exported to CSV) and the settings page.

It comes last in the one-way order (after reports/): an event may concern any feature's object (a round, a
response, an agency's set), and this package reads them all to say what each event was about.
"""
