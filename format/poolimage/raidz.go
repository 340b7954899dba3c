package poolimage

// RAID-Z parity arithmetic over GF(2^8) with the polynomial
// x^8+x^4+x^3+x^2+1 (0x11d), as RAID-Z defines it: with data columns D_0 ..
// D_{n-1} in map order, P = sum D_j, Q = sum 2^(n-1-j) D_j and
// R = sum 4^(n-1-j) D_j (ZFS computes them by Horner's rule, shorter columns
// padded with zeros). Any k <= nparity erased columns are recovered by
// solving the k x k linear system the surviving parity gives.

var gfExp, gfLog = func() (exp [512]byte, log [256]byte) {
	x := 1
	for i := range 255 {
		exp[i] = byte(x)
		log[x] = byte(i)
		x <<= 1
		if x&0x100 != 0 {
			x ^= 0x11d
		}
	}
	for i := 255; i < 512; i++ {
		exp[i] = exp[i-255]
	}
	return exp, log
}()

func gfMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return gfExp[int(gfLog[a])+int(gfLog[b])]
}

func gfInv(a byte) byte { return gfExp[255-int(gfLog[a])] }

// gfPow returns g^e.
func gfPow(g byte, e int) byte {
	if g == 0 {
		return 0
	}
	return gfExp[(int(gfLog[g])*e)%255]
}

// mulTable returns the table of multiplication by c.
func mulTable(c byte) *[256]byte {
	var t [256]byte
	for i := range 256 {
		t[i] = gfMul(byte(i), c)
	}
	return &t
}

// parityGen is the generator of parity row p: P, Q, R.
var parityGen = [3]byte{1, 2, 4}

// syndrome computes parity row p over the data columns (nil columns count
// as zero; short columns are padded with zeros) and XORs it into dst,
// which starts as the stored parity column: afterwards dst holds the sum
// of the erased columns' contributions.
func syndrome(dst []byte, data [][]byte, p int) {
	g := mulTable(parityGen[p])
	acc := make([]byte, len(dst))
	for _, d := range data {
		if p > 0 {
			for i := range acc {
				acc[i] = g[acc[i]]
			}
		}
		for i := 0; i < len(d) && i < len(acc); i++ {
			acc[i] ^= d[i]
		}
	}
	for i := range dst {
		dst[i] ^= acc[i]
	}
}

// reconstruct recovers the data columns listed in erased (indexes into
// data, whose entries there are ignored) from the parity rows listed in
// rows, using parity[row]. len(erased) must equal len(rows). The recovered
// columns are returned, each as long as the parity columns, in erased's
// order.
func reconstruct(data [][]byte, parity [][]byte, erased, rows []int) ([][]byte, bool) {
	k := len(erased)
	n := len(data)
	plen := len(parity[rows[0]])
	// Syndromes.
	syn := make([][]byte, k)
	masked := make([][]byte, n)
	copy(masked, data)
	for _, e := range erased {
		masked[e] = nil
	}
	for i, r := range rows {
		if len(parity[r]) != plen {
			return nil, false
		}
		syn[i] = append([]byte(nil), parity[r]...)
		syndrome(syn[i], masked, r)
	}
	// Matrix A[i][l] = g_{rows[i]}^(n-1-erased[l]); invert it.
	a := make([][]byte, k)
	inv := make([][]byte, k)
	for i := range k {
		a[i] = make([]byte, k)
		inv[i] = make([]byte, k)
		inv[i][i] = 1
		for l := range k {
			a[i][l] = gfPow(parityGen[rows[i]], n-1-erased[l])
		}
	}
	for col := range k {
		piv := -1
		for r := col; r < k; r++ {
			if a[r][col] != 0 {
				piv = r
				break
			}
		}
		if piv < 0 {
			return nil, false
		}
		a[col], a[piv] = a[piv], a[col]
		inv[col], inv[piv] = inv[piv], inv[col]
		s := gfInv(a[col][col])
		for l := range k {
			a[col][l] = gfMul(a[col][l], s)
			inv[col][l] = gfMul(inv[col][l], s)
		}
		for r := range k {
			if r == col || a[r][col] == 0 {
				continue
			}
			f := a[r][col]
			for l := range k {
				a[r][l] ^= gfMul(f, a[col][l])
				inv[r][l] ^= gfMul(f, inv[col][l])
			}
		}
	}
	out := make([][]byte, k)
	for l := range k {
		col := make([]byte, plen)
		for i := range k {
			c := inv[l][i]
			if c == 0 {
				continue
			}
			t := mulTable(c)
			s := syn[i]
			for x := range col {
				col[x] ^= t[s[x]]
			}
		}
		out[l] = col
	}
	return out, true
}

// combinations calls fn with every k-subset of items (in lexicographic
// order) until fn returns true.
func combinations(items []int, k int, fn func([]int) bool) bool {
	if k == 0 {
		return fn(nil)
	}
	if k > len(items) {
		return false
	}
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i
	}
	sel := make([]int, k)
	for {
		for i, j := range idx {
			sel[i] = items[j]
		}
		if fn(sel) {
			return true
		}
		i := k - 1
		for i >= 0 && idx[i] == len(items)-k+i {
			i--
		}
		if i < 0 {
			return false
		}
		idx[i]++
		for j := i + 1; j < k; j++ {
			idx[j] = idx[j-1] + 1
		}
	}
}
