#ifndef HERD_CJPEG_H
#define HERD_CJPEG_H
#endif
