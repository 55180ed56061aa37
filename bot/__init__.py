"""Domain logic of the German troubleshooting assistant (no Rasa imports outside bot.nlu.components)."""
