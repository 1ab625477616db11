def parse_message(raw, *, internal_date=None):
    return None
