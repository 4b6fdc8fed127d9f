"""Imported once by the forkserver that starts the segmentation workers of `annotation.stream`: underthesea and its
word-segmentation model are loaded there, once, and every worker forked from it shares them (copy-on-write)
instead of importing and loading them again."""

from .text import segment_words

segment_words("Hà Nội.")
