package sendstream

import (
	"math/bits"
	"strconv"
	"strings"
)

// Features is the feature-flag field of a BEGIN record's drr_versioninfo
// (DMU_BACKUP_FEATURE_*), already shifted down: FeatureLZ4 is 1<<17 here.
type Features uint64

// Feature flags.
const (
	FeatureDedup               Features = 1 << 0  // deprecated; receive refuses it
	FeatureDedupProps          Features = 1 << 1  // deprecated with dedup
	FeatureSASpill             Features = 1 << 2  // system-attribute spill blocks
	FeatureEmbedData           Features = 1 << 16 // WRITE_EMBEDDED records (-e)
	FeatureLZ4                 Features = 1 << 17 // LZ4-compressed embedded or compressed data
	FeatureLargeBlocks         Features = 1 << 19 // blocks over 128 KiB (-L)
	FeatureResuming            Features = 1 << 20 // a resumed send (zfs send -t)
	FeatureRedacted            Features = 1 << 21 // redacted send
	FeatureCompressed          Features = 1 << 22 // compressed WRITE records (-c)
	FeatureLargeDnode          Features = 1 << 23 // dnodes over 512 bytes
	FeatureRaw                 Features = 1 << 24 // raw, possibly encrypted records (-w)
	FeatureZstd                Features = 1 << 25 // zstd-compressed data
	FeatureHolds               Features = 1 << 26 // holds in the compound header (-h)
	FeatureSwitchToLargeBlocks Features = 1 << 27 // incremental may switch to large blocks
	FeatureLongName            Features = 1 << 28 // long file names (OpenZFS 2.3)
	FeatureLargeMicroZap       Features = 1 << 29 // large micro-ZAPs (OpenZFS 2.3)
)

// SupportedFeatures is DMU_BACKUP_FEATURE_MASK: every flag that current
// OpenZFS can receive. Dedup streams are not receivable any more.
const SupportedFeatures = FeatureSASpill | FeatureEmbedData | FeatureLZ4 |
	FeatureResuming | FeatureLargeBlocks | FeatureCompressed | FeatureLargeDnode |
	FeatureRaw | FeatureHolds | FeatureRedacted | FeatureSwitchToLargeBlocks |
	FeatureZstd | FeatureLongName | FeatureLargeMicroZap

var featureNames = []struct {
	f    Features
	name string
}{
	{FeatureDedup, "DEDUP"},
	{FeatureDedupProps, "DEDUPPROPS"},
	{FeatureSASpill, "SA_SPILL"},
	{FeatureEmbedData, "EMBED_DATA"},
	{FeatureLZ4, "LZ4"},
	{FeatureLargeBlocks, "LARGE_BLOCKS"},
	{FeatureResuming, "RESUMING"},
	{FeatureRedacted, "REDACTED"},
	{FeatureCompressed, "COMPRESSED"},
	{FeatureLargeDnode, "LARGE_DNODE"},
	{FeatureRaw, "RAW"},
	{FeatureZstd, "ZSTD"},
	{FeatureHolds, "HOLDS"},
	{FeatureSwitchToLargeBlocks, "SWITCH_TO_LARGE_BLOCKS"},
	{FeatureLongName, "LONGNAME"},
	{FeatureLargeMicroZap, "LARGE_MICROZAP"},
}

// Has reports whether every flag in g is set in f.
func (f Features) Has(g Features) bool { return f&g == g }

// Unknown returns the flags that this package has no name for.
func (f Features) Unknown() Features {
	var known Features
	for _, n := range featureNames {
		known |= n.f
	}
	return f &^ known
}

// Supported reports whether current OpenZFS can receive a stream with these
// flags (DMU_STREAM_SUPPORTED).
func (f Features) Supported() bool { return f&^SupportedFeatures == 0 }

// Names returns the names of the set flags in bit order, e.g.
// ["EMBED_DATA", "LZ4"], with unknown bits as "bit(N)".
func (f Features) Names() []string {
	var names []string
	for _, n := range featureNames {
		if f&n.f != 0 {
			names = append(names, n.name)
		}
	}
	for u := f.Unknown(); u != 0; u &= u - 1 {
		names = append(names, "bit("+strconv.Itoa(bits.TrailingZeros64(uint64(u)))+")")
	}
	return names
}

// String returns the set flags joined with "|", or "0" for none.
func (f Features) String() string {
	if f == 0 {
		return "0"
	}
	return strings.Join(f.Names(), "|")
}
