func benchKNN() throws {}
func benchHNSW() throws {}
