package poolimage

import (
	"container/list"
	"encoding/binary"
	"sync"
)

// blockKey names a logical block of an object set.
type blockKey struct {
	objset *Objset
	object uint64
	level  int
	blkid  uint64
}

type cached struct {
	key   blockKey
	data  []byte
	order binary.ByteOrder
}

// blockCache is an LRU cache of metadata blocks (indirect blocks, dnode
// blocks), bounded in bytes.
type blockCache struct {
	mu    sync.Mutex
	max   int
	size  int
	lru   *list.List
	items map[blockKey]*list.Element
}

func newBlockCache(maxBytes int) *blockCache {
	return &blockCache{max: maxBytes, lru: list.New(), items: make(map[blockKey]*list.Element)}
}

func (c *blockCache) get(k blockKey) ([]byte, binary.ByteOrder, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return nil, nil, false
	}
	c.lru.MoveToFront(e)
	v := e.Value.(*cached)
	return v.data, v.order, true
}

func (c *blockCache) put(k blockKey, data []byte, order binary.ByteOrder) {
	if len(data) > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.lru.MoveToFront(e)
		return
	}
	c.items[k] = c.lru.PushFront(&cached{key: k, data: data, order: order})
	c.size += len(data)
	for c.size > c.max {
		e := c.lru.Back()
		v := e.Value.(*cached)
		c.lru.Remove(e)
		delete(c.items, v.key)
		c.size -= len(v.data)
	}
}
