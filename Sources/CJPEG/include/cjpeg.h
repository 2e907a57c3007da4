#ifndef HERD_CJPEG_H
#define HERD_CJPEG_H

#include <stddef.h>

/// Result codes of the herd_jpeg_* functions.
enum {
    HERD_JPEG_OK = 0,
    HERD_JPEG_CORRUPT = 1,      ///< libjpeg refused the data; message holds libjpeg's words
    HERD_JPEG_UNSUPPORTED = 2,  ///< valid JPEG of a kind herd does not decode (e.g. 12-bit)
    HERD_JPEG_TRUNCATED = 3,    ///< the data ended before the image did
    HERD_JPEG_LIMIT = 4,        ///< a safety limit was hit (memory, scans)
};

/// Colour models the decoder can deliver before herd converts to RGB.
enum {
    HERD_JPEG_GRAY = 1,
    HERD_JPEG_RGB = 2,
    HERD_JPEG_YCBCR = 3,
    HERD_JPEG_CMYK = 4,
    HERD_JPEG_YCCK = 5,
    HERD_JPEG_OTHER = 0,
};

/// What the frame header says, read without decoding pixels.
typedef struct {
    int width;
    int height;
    int components;
    int precision;
    int color_space;        ///< HERD_JPEG_* colour model of the stored data
    int progressive;
    int arithmetic;
    int adobe_inverted;     ///< an Adobe APP14 marker was seen: CMYK values are stored inverted
    const unsigned char *exif;  ///< TIFF payload of the first APP1 "Exif" segment, or NULL
    size_t exif_length;
} herd_jpeg_header;

/// An open decoder over a private copy of the file's bytes.
typedef struct herd_jpeg herd_jpeg;

/// Reads the header of `data`. On success `*out` owns a decoder (close it with herd_jpeg_close).
/// `max_memory` bounds libjpeg's working memory in bytes. On failure `message` holds a reason.
int herd_jpeg_open(const unsigned char *data, size_t length, size_t max_memory,
                   herd_jpeg **out, herd_jpeg_header *header, char *message, size_t message_size);

/// Output size when decoding at 1/scale_denom (1, 2, 4 or 8).
int herd_jpeg_scaled_size(herd_jpeg *jpeg, int scale_denom, int *width, int *height);

/// Decodes at 1/scale_denom into `rgb` (width*height*3 bytes, interleaved RGB, rows top to bottom).
/// CMYK and YCCK are converted to RGB (inverted Adobe CMYK handled), greyscale replicated.
/// Non-fatal libjpeg warnings are counted; the first one is copied to `warning`.
int herd_jpeg_decode_rgb(herd_jpeg *jpeg, int scale_denom, unsigned char *rgb, size_t capacity,
                         int *warnings, char *warning, size_t warning_size,
                         char *message, size_t message_size);

/// Frees the decoder and its copy of the data.
void herd_jpeg_close(herd_jpeg *jpeg);

/// Encodes interleaved RGB as a baseline JPEG into a malloc'd buffer (free with herd_jpeg_free).
int herd_jpeg_encode_rgb(const unsigned char *rgb, int width, int height, int quality,
                         unsigned char **out, size_t *out_length, char *message, size_t message_size);

/// Encodes `pixels` given in colour model `model` (HERD_JPEG_GRAY: 1 byte per pixel, HERD_JPEG_RGB:
/// 3, HERD_JPEG_CMYK or HERD_JPEG_YCCK: 4 CMYK bytes, stored as CMYK or YCCK with an Adobe marker),
/// optionally progressive, arithmetic-coded, or with restart markers every `restart_rows` MCU rows.
/// Used for contact sheets and to generate test fixtures through the same library.
int herd_jpeg_encode(const unsigned char *pixels, int width, int height, int model, int quality,
                     int progressive, int arithmetic, int restart_rows,
                     unsigned char **out, size_t *out_length, char *message, size_t message_size);

/// Frees a buffer returned by the encoder.
void herd_jpeg_free(void *buffer);

#endif
