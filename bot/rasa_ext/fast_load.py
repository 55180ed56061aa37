"""Loading TED for prediction without a training step: the Rasa server starts in
seconds instead of half a minute.

What it replaces: `RasaModel.load` (rasa/utils/tensorflow/models.py, Rasa 3.6)
builds the model by *training* it on one example (`model.fit`), only to create
weights of the right shapes, and then overwrites them from the checkpoint.
Tracing Keras' train function is most of a Rasa start here (about 20 of 30 s
on 2 cores), which is how long a crashed Rasa server stays away.

For prediction (not fine-tuning), this loads the checkpoint first and lets the
one inference Rasa runs anyway create the weights: TensorFlow's object-based
checkpoints restore each variable as it is created. Then it checks that every
variable the model has was restored from the checkpoint
(`assert_existing_objects_matched`); only the optimizer's state, which
prediction never uses, is left out. If anything does not match, it falls back
to Rasa's own loading, so a model is never used with weights that were not
trained.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

_original_load = None


def _fast_load(
    cls,
    model_file_name: str,
    model_data_example,
    predict_data_example=None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
):
    import tensorflow as tf
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY

    def rasa_s_own_load():
        return _original_load.__func__(
            cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
        )

    if finetune_mode or predict_data_example is None:
        return rasa_s_own_load()
    config = kwargs.get("config", {})
    model = cls(*args, **kwargs)
    model.compile(
        optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)), run_eagerly=config.get(RUN_EAGERLY)
    )
    status = model.load_weights(model_file_name)
    model.run_inference(predict_data_example)  # creates the weights; each is restored as it is created
    try:
        status.assert_existing_objects_matched()
        if not model.trainable_weights:
            raise AssertionError("the model created no weights")
    except AssertionError as error:
        logger.warning("fast model loading did not match the checkpoint (%s); loading as Rasa does", error)
        return rasa_s_own_load()
    status.expect_partial()  # the optimizer's slots are in the checkpoint, not needed to predict
    return model


def install() -> None:
    global _original_load
    from rasa.utils.tensorflow.models import RasaModel

    if _original_load is None:
        _original_load = RasaModel.__dict__["load"]
        RasaModel.load = classmethod(_fast_load)


def uninstall() -> None:
    global _original_load
    from rasa.utils.tensorflow.models import RasaModel

    if _original_load is not None:
        RasaModel.load = _original_load
        _original_load = None

