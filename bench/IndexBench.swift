func benchKNN() throws {}
func benchHNSW() throws {}
func benchHead() throws {}
