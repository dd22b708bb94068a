# Generates the differential query set: seed, count.
import random, sys
random.seed(int(sys.argv[1]))
groups = [["app.key","app.creator","app.note"],["transfer.sender","transfer.amount"],["message.action"],["end.height"]]
heights = ["tx.height","block.height"]
vals = ["'abc'","'Cosmoshi'","'alice'","'bob'","10","5","5.5","'send'","2","3","1","0","'a'","'2'","2.9","'li'","'o'","'/'","100","12345678901234567890","'spaced'","'xyz'","4","6","'-3'","'10'","'1'","'4'","'zzz'","'abc/x'","'a b'","'7'","' 7 '","'+4'","5.0","05"]
ops = ["=","=","=","<","<=",">",">=","CONTAINS","EXISTS"]
def cond(t):
    o=random.choice(ops)
    if o=="EXISTS": return f"{t} EXISTS"
    v=random.choice(vals)
    if o=="CONTAINS" and not v.startswith("'"): v="'"+v+"'"
    if o in ["<","<=",">",">="] and v.startswith("'"): v=random.choice(["5","2","3","10","5.5","100","0","4","6","1","2.9","7"])
    return f"{t} {o} {v}"
out=[]
for i in range(int(sys.argv[2])):
    g = random.choice(groups)
    n = random.choice([1,1,2,2,3])
    tags=[]
    for j in range(n):
        r=random.random()
        if r<0.6: tags.append(random.choice(g))
        elif r<0.85: tags.append(random.choice(heights))
        else: tags.append(random.choice(random.choice(groups)))
    out.append(" AND ".join(cond(t) for t in tags))
open("queries3.txt","w").write("\n".join(out)+"\n")
