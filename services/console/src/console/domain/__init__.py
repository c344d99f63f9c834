"""The console's own rules: who may do what, how figures read, how charts are drawn. Pure."""
