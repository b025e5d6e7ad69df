"""ImageNet (VID and DET) PASCAL-VOC style XML annotations: parsing with errors naming file and line."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import List, Tuple

from ltr.data.annotations import AnnotationError


def parse_xml(path: str) -> ET.Element:
    """Root element of the XML file `path`; a malformed file raises AnnotationError with its line."""
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as e:
        line, col = e.position
        raise AnnotationError(f"{path}, line {line}: malformed XML ({e})") from None
    except OSError as e:
        raise AnnotationError(f"{path}: {e.strerror}") from None


def _int(elem: ET.Element, tag: str, path: str) -> int:
    node = elem.find(tag)
    if node is None or node.text is None:
        raise AnnotationError(f"{path}: <{elem.tag}> lacks <{tag}>")
    try:
        return int(float(node.text.strip()))
    except ValueError:
        raise AnnotationError(f"{path}: <{tag}> is not a number: '{node.text.strip()}'") from None


def image_size(root: ET.Element, path: str) -> Tuple[int, int]:
    """(width, height) from ``<size>``."""
    return _int(root, 'size/width', path), _int(root, 'size/height', path)


def object_box(obj: ET.Element, path: str) -> List[int]:
    """``[xmin, ymin, xmax - xmin, ymax - ymin]`` of an ``<object>`` (upstream's convention, no +1)."""
    x1, y1 = _int(obj, 'bndbox/xmin', path), _int(obj, 'bndbox/ymin', path)
    x2, y2 = _int(obj, 'bndbox/xmax', path), _int(obj, 'bndbox/ymax', path)
    return [x1, y1, x2 - x1, y2 - y1]


def text_of(obj: ET.Element, tag: str, path: str) -> str:
    node = obj.find(tag)
    if node is None or node.text is None:
        raise AnnotationError(f"{path}: <{obj.tag}> lacks <{tag}>")
    return node.text.strip()
