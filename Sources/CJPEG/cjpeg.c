// libjpeg behind an error manager that longjmps back here, so a corrupt photo becomes an error code
// and a message instead of a call to exit(). setjmp/longjmp never cross into Swift.
#include "cjpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

/// Progressive files with more scans than this are refused (a known decoding-time attack).
#define HERD_MAX_SCANS 500
/// More corrupt-data warnings than this and the file is treated as corrupt.
#define HERD_MAX_WARNINGS 1000

struct herd_error {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    int code;
    int warnings;
    int truncated;
    char message[JMSG_LENGTH_MAX + 64];
    char first_warning[JMSG_LENGTH_MAX];
};

struct herd_jpeg {
    struct jpeg_decompress_struct cinfo;
    struct herd_error err;
    struct jpeg_progress_mgr progress;
    unsigned char *data;
    size_t length;
    unsigned char *exif;
    size_t exif_length;
    int header_consumed;  // a decode ran: the source must be rewound before the next one
};

static void copy_message(char *dst, size_t size, const char *src) {
    if (dst == NULL || size == 0) return;
    snprintf(dst, size, "%s", src);
}

static void herd_error_exit(j_common_ptr cinfo) {
    struct herd_error *err = (struct herd_error *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    int code = err->pub.msg_code;
    if (code == JERR_BAD_PRECISION && cinfo->is_decompressor &&
        ((j_decompress_ptr)cinfo)->data_precision == 12) {
        err->code = HERD_JPEG_UNSUPPORTED;
        snprintf(err->message, sizeof err->message, "unsupported: 12-bit JPEG (herd decodes 8-bit JPEGs)");
    } else if (code == JERR_OUT_OF_MEMORY || code == JERR_NO_BACKING_STORE) {
        err->code = HERD_JPEG_LIMIT;
        snprintf(err->message, sizeof err->message, "exceeds herd's decoding memory limit (%s)", text);
    } else if (code == JERR_INPUT_EMPTY || code == JERR_INPUT_EOF) {
        err->code = HERD_JPEG_TRUNCATED;
        snprintf(err->message, sizeof err->message, "truncated JPEG: %s", text);
    } else {
        err->code = HERD_JPEG_CORRUPT;
        snprintf(err->message, sizeof err->message, "%s", text);
    }
    longjmp(err->jump, 1);
}

static void herd_emit_message(j_common_ptr cinfo, int level) {
    struct herd_error *err = (struct herd_error *)cinfo->err;
    if (level >= 0) return;  // trace messages
    err->warnings += 1;
    if (err->pub.msg_code == JWRN_JPEG_EOF) err->truncated = 1;
    if (err->warnings == 1) (*cinfo->err->format_message)(cinfo, err->first_warning);
    if (err->warnings > HERD_MAX_WARNINGS) {
        err->code = HERD_JPEG_CORRUPT;
        snprintf(err->message, sizeof err->message, "more than %d data errors; the first: %s",
                 HERD_MAX_WARNINGS, err->first_warning);
        longjmp(err->jump, 1);
    }
}

static void herd_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void herd_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > HERD_MAX_SCANS) {
        struct herd_error *err = (struct herd_error *)cinfo->err;
        err->code = HERD_JPEG_LIMIT;
        snprintf(err->message, sizeof err->message, "progressive JPEG with more than %d scans refused", HERD_MAX_SCANS);
        longjmp(err->jump, 1);
    }
}

static int model_of(J_COLOR_SPACE space) {
    switch (space) {
    case JCS_GRAYSCALE: return HERD_JPEG_GRAY;
    case JCS_RGB: return HERD_JPEG_RGB;
    case JCS_YCbCr: return HERD_JPEG_YCBCR;
    case JCS_CMYK: return HERD_JPEG_CMYK;
    case JCS_YCCK: return HERD_JPEG_YCCK;
    default: return HERD_JPEG_OTHER;
    }
}

/// Finds the first APP1 segment that starts with "Exif\0\0" and copies its TIFF payload.
static void keep_exif(herd_jpeg *j) {
    for (jpeg_saved_marker_ptr m = j->cinfo.marker_list; m != NULL; m = m->next) {
        if (m->marker != JPEG_APP0 + 1 || m->data_length < 6) continue;
        if (memcmp(m->data, "Exif\0\0", 6) != 0) continue;
        size_t n = m->data_length - 6;
        j->exif = malloc(n > 0 ? n : 1);
        if (j->exif == NULL) return;
        memcpy(j->exif, m->data + 6, n);
        j->exif_length = n;
        return;
    }
}

int herd_jpeg_open(const unsigned char *data, size_t length, size_t max_memory,
                   herd_jpeg **out, herd_jpeg_header *header, char *message, size_t message_size) {
    *out = NULL;
    memset(header, 0, sizeof *header);
    if (length == 0) {
        copy_message(message, message_size, "empty file");
        return HERD_JPEG_TRUNCATED;
    }
    herd_jpeg *j = calloc(1, sizeof *j);
    if (j == NULL) {
        copy_message(message, message_size, "out of memory");
        return HERD_JPEG_LIMIT;
    }
    j->data = malloc(length);
    if (j->data == NULL) {
        free(j);
        copy_message(message, message_size, "out of memory");
        return HERD_JPEG_LIMIT;
    }
    memcpy(j->data, data, length);
    j->length = length;

    j->cinfo.err = jpeg_std_error(&j->err.pub);
    j->err.pub.error_exit = herd_error_exit;
    j->err.pub.emit_message = herd_emit_message;
    j->err.pub.output_message = herd_output_message;
    if (setjmp(j->err.jump)) {
        copy_message(message, message_size, j->err.message);
        int code = j->err.code;
        herd_jpeg_close(j);
        return code;
    }
    jpeg_create_decompress(&j->cinfo);
    j->cinfo.mem->max_memory_to_use = (long)max_memory;
    j->progress.progress_monitor = herd_progress;
    j->cinfo.progress = &j->progress;
    jpeg_save_markers(&j->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_mem_src(&j->cinfo, j->data, (unsigned long)j->length);
    jpeg_read_header(&j->cinfo, TRUE);
    keep_exif(j);

    header->width = (int)j->cinfo.image_width;
    header->height = (int)j->cinfo.image_height;
    header->components = j->cinfo.num_components;
    header->precision = j->cinfo.data_precision;
    header->color_space = model_of(j->cinfo.jpeg_color_space);
    header->progressive = j->cinfo.progressive_mode ? 1 : 0;
    header->arithmetic = j->cinfo.arith_code ? 1 : 0;
    header->adobe_inverted = j->cinfo.saw_Adobe_marker ? 1 : 0;
    header->exif = j->exif;
    header->exif_length = j->exif_length;
    *out = j;
    return HERD_JPEG_OK;
}

/// After a decode, libjpeg is back at its start state: read the header again from the start.
static void rewind_source(herd_jpeg *j) {
    jpeg_abort_decompress(&j->cinfo);
    jpeg_mem_src(&j->cinfo, j->data, (unsigned long)j->length);
    jpeg_read_header(&j->cinfo, TRUE);
    j->header_consumed = 0;
}

int herd_jpeg_scaled_size(herd_jpeg *j, int scale_denom, int *width, int *height) {
    if (setjmp(j->err.jump)) return j->err.code;
    if (j->header_consumed) rewind_source(j);
    j->cinfo.scale_num = 1;
    j->cinfo.scale_denom = (unsigned int)scale_denom;
    jpeg_calc_output_dimensions(&j->cinfo);
    *width = (int)j->cinfo.output_width;
    *height = (int)j->cinfo.output_height;
    return HERD_JPEG_OK;
}

/// CMYK (plain or Adobe-inverted) → RGB for one row: R = (255 − C)(255 − K) / 255.
static void cmyk_row_to_rgb(const unsigned char *cmyk, unsigned char *rgb, int width, int inverted) {
    for (int x = 0; x < width; x++) {
        int c = cmyk[4 * x], m = cmyk[4 * x + 1], y = cmyk[4 * x + 2], k = cmyk[4 * x + 3];
        if (!inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
        rgb[3 * x] = (unsigned char)((c * k + 127) / 255);
        rgb[3 * x + 1] = (unsigned char)((m * k + 127) / 255);
        rgb[3 * x + 2] = (unsigned char)((y * k + 127) / 255);
    }
}

int herd_jpeg_decode_rgb(herd_jpeg *j, int scale_denom, unsigned char *rgb, size_t capacity,
                         int *warnings, char *warning, size_t warning_size,
                         char *message, size_t message_size) {
    unsigned char *volatile cmyk_row = NULL;
    *warnings = 0;
    j->err.warnings = 0;
    j->err.truncated = 0;
    j->err.first_warning[0] = 0;
    if (setjmp(j->err.jump)) {
        free(cmyk_row);
        copy_message(message, message_size, j->err.message);
        jpeg_abort_decompress(&j->cinfo);
        j->header_consumed = 1;
        return j->err.code;
    }
    if (j->header_consumed) rewind_source(j);
    j->header_consumed = 1;

    J_COLOR_SPACE source = j->cinfo.jpeg_color_space;
    int four = source == JCS_CMYK || source == JCS_YCCK;
    j->cinfo.out_color_space = four ? JCS_CMYK : JCS_RGB;
    j->cinfo.scale_num = 1;
    j->cinfo.scale_denom = (unsigned int)scale_denom;
    jpeg_start_decompress(&j->cinfo);

    size_t width = j->cinfo.output_width, height = j->cinfo.output_height;
    if (capacity < width * height * 3) {
        jpeg_abort_decompress(&j->cinfo);
        copy_message(message, message_size, "output buffer too small");
        return HERD_JPEG_LIMIT;
    }
    if (four) {
        cmyk_row = malloc(width * 4);
        if (cmyk_row == NULL) {
            jpeg_abort_decompress(&j->cinfo);
            copy_message(message, message_size, "out of memory");
            return HERD_JPEG_LIMIT;
        }
    }
    while (j->cinfo.output_scanline < j->cinfo.output_height) {
        unsigned char *row = rgb + (size_t)j->cinfo.output_scanline * width * 3;
        JSAMPROW rows[1] = { four ? cmyk_row : row };
        jpeg_read_scanlines(&j->cinfo, rows, 1);
        if (four) cmyk_row_to_rgb(cmyk_row, row, (int)width, j->cinfo.saw_Adobe_marker);
    }
    free(cmyk_row);
    cmyk_row = NULL;
    jpeg_finish_decompress(&j->cinfo);

    *warnings = j->err.warnings;
    copy_message(warning, warning_size, j->err.first_warning);
    if (j->err.truncated) {
        snprintf(message, message_size, "truncated JPEG: %s", j->err.first_warning);
        return HERD_JPEG_TRUNCATED;
    }
    return HERD_JPEG_OK;
}

void herd_jpeg_close(herd_jpeg *j) {
    if (j == NULL) return;
    jpeg_destroy_decompress(&j->cinfo);
    free(j->data);
    free(j->exif);
    free(j);
}

int herd_jpeg_encode_rgb(const unsigned char *rgb, int width, int height, int quality,
                         unsigned char **out, size_t *out_length, char *message, size_t message_size) {
    return herd_jpeg_encode(rgb, width, height, HERD_JPEG_RGB, quality, 0, 0, 0, out, out_length,
                            message, message_size);
}

int herd_jpeg_encode(const unsigned char *pixels, int width, int height, int model, int quality,
                     int progressive, int arithmetic, int restart_rows,
                     unsigned char **out, size_t *out_length, char *message, size_t message_size) {
    struct jpeg_compress_struct cinfo;
    struct herd_error err;
    // The destination lives on the heap: libjpeg updates it between setjmp and a possible longjmp.
    struct { unsigned char *data; unsigned long length; } *dest = calloc(1, sizeof *dest);
    *out = NULL;
    *out_length = 0;
    if (dest == NULL) {
        copy_message(message, message_size, "out of memory");
        return HERD_JPEG_LIMIT;
    }
    memset(&err, 0, sizeof err);
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = herd_error_exit;
    err.pub.emit_message = herd_emit_message;
    err.pub.output_message = herd_output_message;
    if (setjmp(err.jump)) {
        copy_message(message, message_size, err.message);
        jpeg_destroy_compress(&cinfo);
        free(dest->data);
        free(dest);
        return err.code ? err.code : HERD_JPEG_CORRUPT;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &dest->data, &dest->length);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    int bytes;
    switch (model) {
    case HERD_JPEG_GRAY: cinfo.in_color_space = JCS_GRAYSCALE; bytes = 1; break;
    case HERD_JPEG_CMYK: case HERD_JPEG_YCCK: cinfo.in_color_space = JCS_CMYK; bytes = 4; break;
    default: cinfo.in_color_space = JCS_RGB; bytes = 3; break;
    }
    cinfo.input_components = bytes;
    jpeg_set_defaults(&cinfo);
    if (model == HERD_JPEG_CMYK) jpeg_set_colorspace(&cinfo, JCS_CMYK);
    if (model == HERD_JPEG_YCCK) jpeg_set_colorspace(&cinfo, JCS_YCCK);
    jpeg_set_quality(&cinfo, quality, TRUE);
    if (progressive) jpeg_simple_progression(&cinfo);
    if (arithmetic) cinfo.arith_code = TRUE;
    cinfo.restart_in_rows = restart_rows;
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * (size_t)width * (size_t)bytes);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = dest->data;
    *out_length = dest->length;
    free(dest);
    return HERD_JPEG_OK;
}

void herd_jpeg_free(void *buffer) { free(buffer); }
