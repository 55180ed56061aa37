"""Load benchmark: this bot against a stock `rasa init` bot, side by side (`make bench`)."""
