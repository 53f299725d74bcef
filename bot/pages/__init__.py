"""The web page of an emailed invitation link (DESIGN §11): server-rendered, no JavaScript."""
