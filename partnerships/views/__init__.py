"""The analysts' pages of the core, one module per feature; ``common`` holds the helpers
the apps' pages use too. Frameworks' and missions' pages live in their apps."""
