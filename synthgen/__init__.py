"""synthgen: synthetic OCR word crops and scenes with exact character boxes and CRAFT maps, as HDF5 shards.

``import synthgen`` never imports TensorFlow.
"""

from .backgrounds import BackgroundLibrary, bundled_backgrounds_dir, procedural_background
from .charset import DEFAULT_CHARSET, Charset, OOVStats, OutOfVocabularyError, normalize_text
from .config import OPTIONS, load_config_file, resolve_config
from .dataset import ShardDataset, open_dataset
from .fonts import FontLibrary, NoFontCoversText, bundled_fonts_dir
from .generator import PARAM_FIELDS, Sample, SampleRejected, WordGenerator, sample_rng
from .heatmaps import affinity_quads, craft_maps, word_ids_from_text
from .parallel import generate
from .preview import contact_sheet, save_contact_sheet
from .scenes import SCENE_PARAM_FIELDS, Scene, SceneGenerator
from .shards import Shard, ShardError, ShardWriter, verify_shard
from .text import TextSource, load_catalog

__version__ = "0.1.0"

__all__ = [
    "BackgroundLibrary", "Charset", "SCENE_PARAM_FIELDS", "Scene", "SceneGenerator", "affinity_quads", "craft_maps",
    "word_ids_from_text", "ShardDataset", "open_dataset", "DEFAULT_CHARSET", "FontLibrary", "NoFontCoversText", "OOVStats", "OPTIONS",
    "OutOfVocabularyError", "PARAM_FIELDS", "Sample", "SampleRejected", "Shard", "ShardError", "ShardWriter",
    "TextSource", "WordGenerator", "bundled_backgrounds_dir", "bundled_fonts_dir", "contact_sheet", "generate",
    "load_catalog", "load_config_file", "normalize_text", "procedural_background", "read_shard", "resolve_config",
    "sample_rng", "save_contact_sheet", "verify_shard",
]


def read_shard(path) -> Shard:
    """Open one shard for reading (lazily); ``len()``, ``[i]`` -> dict of image, text, quads, ids, params."""
    return Shard(path)

