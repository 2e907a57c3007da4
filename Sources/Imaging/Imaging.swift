// The Imaging module: decoding, orientation, resampling and preprocessing.
