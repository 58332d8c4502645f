-- richards.lua -- Lua 5.4 twin of richards.toy: classes as metatables, the
-- task kinds as subclasses of Task.
-- usage: richards.lua [RUNS]
local IDLE, WORKER, HANDLER_A, HANDLER_B, DEVICE_A, DEVICE_B = 0, 1, 2, 3, 4, 5
local DEVICE_PACKET, WORK_PACKET = 0, 1
local DATA_SIZE = 4

local Packet = {}
Packet.__index = Packet
function Packet.new(link, ident, kind)
    return setmetatable({link = link, ident = ident, kind = kind, datum = 0,
                         data = {0, 0, 0, 0}}, Packet)
end

local function append_packet(pkt, queue)
    pkt.link = nil
    if queue == nil then return pkt end
    local last = queue
    while last.link ~= nil do last = last.link end
    last.link = pkt
    return queue
end

local Task = {}
Task.__index = Task
function Task.init(self, kernel, ident, priority, queue, waiting)
    self.kernel = kernel
    self.ident = ident
    self.priority = priority
    self.queue = queue
    self.pending = queue ~= nil
    self.waiting = waiting
    self.holding = false
    self.link = kernel.tasks
    kernel.tasks = self
    kernel.table[ident] = self
end

function Task:blocked()
    return self.holding or (self.waiting and not self.pending)
end

function Task:receive(pkt, sender)
    if self.queue == nil then
        self.queue = pkt
        self.pending = true
        if self.priority > sender.priority then return self end
    else
        self.queue = append_packet(pkt, self.queue)
    end
    return sender
end

function Task:step()
    local pkt = nil
    if self.waiting and self.pending and not self.holding then
        pkt = self.queue
        self.queue = pkt.link
        self.pending = self.queue ~= nil
        self.waiting = false
    end
    return self:run(pkt)
end

local function subclass()
    local c = setmetatable({}, {__index = Task})
    c.__index = c
    return c
end

local IdleTask = subclass()
function IdleTask.new(kernel, count)
    local self = setmetatable({}, IdleTask)
    Task.init(self, kernel, IDLE, 0, nil, false)
    self.seed = 1
    self.count = count
    return self
end
function IdleTask:run(pkt)
    local k = self.kernel
    self.count = self.count - 1
    if self.count == 0 then return k:hold_self() end
    if self.seed & 1 == 0 then
        self.seed = self.seed >> 1
        return k:release(DEVICE_A)
    end
    self.seed = (self.seed >> 1) ~ 0xD008
    return k:release(DEVICE_B)
end

local WorkerTask = subclass()
function WorkerTask.new(kernel, queue)
    local self = setmetatable({}, WorkerTask)
    Task.init(self, kernel, WORKER, 1000, queue, true)
    self.dest = HANDLER_A
    self.letter = 0
    return self
end
function WorkerTask:run(pkt)
    local k = self.kernel
    if pkt == nil then return k:wait() end
    if self.dest == HANDLER_A then self.dest = HANDLER_B else self.dest = HANDLER_A end
    pkt.ident = self.dest
    pkt.datum = 0
    for i = 1, DATA_SIZE do
        self.letter = self.letter + 1
        if self.letter > 26 then self.letter = 1 end
        pkt.data[i] = self.letter
    end
    return k:send(pkt)
end

local HandlerTask = subclass()
function HandlerTask.new(kernel, ident, priority, queue)
    local self = setmetatable({}, HandlerTask)
    Task.init(self, kernel, ident, priority, queue, true)
    self.work = nil
    self.devices = nil
    return self
end
function HandlerTask:run(pkt)
    local k = self.kernel
    if pkt ~= nil then
        if pkt.kind == WORK_PACKET then
            self.work = append_packet(pkt, self.work)
        else
            self.devices = append_packet(pkt, self.devices)
        end
    end
    local work = self.work
    if work ~= nil then
        local n = work.datum
        if n >= DATA_SIZE then
            self.work = work.link
            return k:send(work)
        end
        local dev = self.devices
        if dev ~= nil then
            self.devices = dev.link
            dev.datum = work.data[n + 1]
            work.datum = n + 1
            return k:send(dev)
        end
    end
    return k:wait()
end

local DeviceTask = subclass()
function DeviceTask.new(kernel, ident, priority)
    local self = setmetatable({}, DeviceTask)
    Task.init(self, kernel, ident, priority, nil, true)
    self.held = nil
    return self
end
function DeviceTask:run(pkt)
    local k = self.kernel
    if pkt == nil then
        local held = self.held
        if held == nil then return k:wait() end
        self.held = nil
        return k:send(held)
    end
    self.held = pkt
    return k:hold_self()
end

local Kernel = {}
Kernel.__index = Kernel
function Kernel.new()
    return setmetatable({tasks = nil, table = {}, current = nil, sent = 0, holds = 0}, Kernel)
end
function Kernel:wait()
    self.current.waiting = true
    return self.current
end
function Kernel:hold_self()
    self.holds = self.holds + 1
    self.current.holding = true
    return self.current.link
end
function Kernel:release(ident)
    local t = self.table[ident]
    t.holding = false
    if t.priority > self.current.priority then return t end
    return self.current
end
function Kernel:send(pkt)
    local t = self.table[pkt.ident]
    self.sent = self.sent + 1
    pkt.link = nil
    pkt.ident = self.current.ident
    return t:receive(pkt, self.current)
end
function Kernel:schedule()
    local t = self.tasks
    while t ~= nil do
        if t:blocked() then
            t = t.link
        else
            self.current = t
            t = t:step()
        end
    end
end

local function run_once()
    local k = Kernel.new()
    IdleTask.new(k, 10000)
    local q = Packet.new(nil, IDLE, WORK_PACKET)
    q = Packet.new(q, IDLE, WORK_PACKET)
    WorkerTask.new(k, q)
    q = Packet.new(nil, DEVICE_A, DEVICE_PACKET)
    q = Packet.new(q, DEVICE_A, DEVICE_PACKET)
    q = Packet.new(q, DEVICE_A, DEVICE_PACKET)
    HandlerTask.new(k, HANDLER_A, 2000, q)
    q = Packet.new(nil, DEVICE_B, DEVICE_PACKET)
    q = Packet.new(q, DEVICE_B, DEVICE_PACKET)
    q = Packet.new(q, DEVICE_B, DEVICE_PACKET)
    HandlerTask.new(k, HANDLER_B, 3000, q)
    DeviceTask.new(k, DEVICE_A, 4000)
    DeviceTask.new(k, DEVICE_B, 5000)
    k:schedule()
    return k.sent, k.holds
end

local runs = tonumber(arg[1]) or 30
local total_sent, total_holds, sent, holds = 0, 0, 0, 0
for _ = 1, runs do
    sent, holds = run_once()
    total_sent = total_sent + sent
    total_holds = total_holds + holds
end
print(string.format("per run: %d packets sent, %d holds", sent, holds))
print(string.format("%d runs: %d packets sent, %d holds", runs, total_sent, total_holds))
